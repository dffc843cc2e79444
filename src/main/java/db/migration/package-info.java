/** Flyway migrations that SQL alone cannot express (the SQL ones are in resources, db/migration). */
@NullMarked
package db.migration;

import org.jspecify.annotations.NullMarked;
