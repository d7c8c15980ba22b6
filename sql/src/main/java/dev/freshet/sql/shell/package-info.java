/** The {@code freshet sql} shell: sqlline over Beam's JDBC driver with Freshet's catalog. */
package dev.freshet.sql.shell;
