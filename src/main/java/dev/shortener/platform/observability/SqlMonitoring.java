package dev.shortener.platform.observability;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.support.ProxyDataSource;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import net.ttddyy.observation.tracing.DataSourceObservationListener;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.function.SingletonSupplier;

/**
 * Wraps every DataSource so that each statement passes through the {@link SqlMonitor}, and through
 * JDBC tracing when traces are exported.
 */
@Configuration(proxyBeanMethods = false)
class SqlMonitoring {

    @Bean
    SqlMonitor sqlMonitor(MeterRegistry meters, ObservabilitySettings settings) {
        return new SqlMonitor(meters, settings);
    }

    @Bean
    static BeanPostProcessor sqlMonitoringDataSourceWrapper(
            ObjectProvider<SqlMonitor> monitor, ObjectProvider<Traces> traces, Environment environment) {
        boolean tracing = TracingSettings.enabled(environment);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof DataSource dataSource && !(bean instanceof ProxyDataSource)) {
                    ProxyDataSourceBuilder builder =
                            ProxyDataSourceBuilder.create(beanName, dataSource).listener(new Deferred(monitor));
                    if (tracing) {
                        // spans of statements and connections, only inside a sampled trace (Tracing)
                        DataSourceObservationListener spans = new DataSourceObservationListener(
                                SingletonSupplier.of(() -> traces.getObject().registry()));
                        builder.listener(spans).methodListener(spans);
                    }
                    return builder.build();
                }
                return bean;
            }
        };
    }

    /**
     * Resolves the monitor at the first statement, so that wrapping the DataSource does not force
     * the meter registry into existence while post-processors are still being set up.
     */
    private static final class Deferred implements QueryExecutionListener {

        private final ObjectProvider<SqlMonitor> provider;
        private volatile @Nullable SqlMonitor monitor;

        Deferred(ObjectProvider<SqlMonitor> provider) {
            this.provider = provider;
        }

        @Override
        public void beforeQuery(ExecutionInfo execution, List<QueryInfo> queries) {
            monitor().beforeQuery(execution, queries);
        }

        @Override
        public void afterQuery(ExecutionInfo execution, List<QueryInfo> queries) {
            monitor().afterQuery(execution, queries);
        }

        private SqlMonitor monitor() {
            SqlMonitor resolved = monitor;
            if (resolved == null) {
                resolved = provider.getObject();
                monitor = resolved;
            }
            return resolved;
        }
    }
}
