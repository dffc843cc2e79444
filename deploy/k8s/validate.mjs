// Validates rendered manifests (kubectl kustomize output) against the Kubernetes OpenAPI schemas,
// offline: the npm package kubernetes-models ships validators generated from those schemas, and
// @kubernetes-models/prometheus-operator those of the ServiceMonitor. Operator resources without
// published models (CloudNativePG, Barman Cloud, redis-operator) are checked structurally by
// src/test/java/dev/shortener/deploy/KubernetesManifestsTest.java.
//
//   npm install --no-save --prefix "$TOOLS" kubernetes-models@5.1.0 \
//       @kubernetes-models/prometheus-operator@6.0.0 yaml@2.9.1
//   kubectl kustomize deploy/k8s/overlays/production | NODE_TOOLS="$TOOLS" node deploy/k8s/validate.mjs
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

// The packages live in NODE_TOOLS (an npm prefix outside the repository), so import them by file.
const tools = path.resolve(process.env.NODE_TOOLS ?? process.cwd(), "node_modules");
const load = async (file) => import(pathToFileURL(path.join(tools, file)).href);
const { parseAllDocuments } = await load("yaml/dist/index.js");

const models = {
  "v1/ConfigMap": ["kubernetes-models/v1", "ConfigMap"],
  "v1/Service": ["kubernetes-models/v1", "Service"],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1", "Deployment"],
  "networking.k8s.io/v1/Ingress": ["kubernetes-models/networking.k8s.io/v1", "Ingress"],
  "networking.k8s.io/v1/NetworkPolicy": ["kubernetes-models/networking.k8s.io/v1", "NetworkPolicy"],
  "autoscaling/v2/HorizontalPodAutoscaler": ["kubernetes-models/autoscaling/v2", "HorizontalPodAutoscaler"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1", "PodDisruptionBudget"],
  "monitoring.coreos.com/v1/ServiceMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", "ServiceMonitor"],
};
const structuralOnly = new Set([
  "postgresql.cnpg.io/v1/Cluster",
  "postgresql.cnpg.io/v1/ScheduledBackup",
  "barmancloud.cnpg.io/v1/ObjectStore",
  "redis.redis.opstreelabs.in/v1beta2/Redis",
]);

const input = readFileSync(process.argv[2] ?? 0, "utf8");
let checked = 0;
let failures = 0;
for (const document of parseAllDocuments(input)) {
  const object = document.toJS();
  if (!object) continue;
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${key} ${object.metadata?.name}`;
  if (structuralOnly.has(key)) {
    console.log(`skip   ${name} (operator resource: structural test only)`);
    continue;
  }
  const model = models[key];
  if (!model) {
    console.log(`FAIL   ${name}: no schema known for this kind`);
    failures++;
    continue;
  }
  const module = await load(`${model[0]}/index.js`);
  try {
    new module[model[1]](object).validate();
    console.log(`ok     ${name}`);
    checked++;
  } catch (error) {
    console.log(`FAIL   ${name}: ${error.message}`);
    failures++;
  }
}
console.log(`${checked} passed, ${failures} failed`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
