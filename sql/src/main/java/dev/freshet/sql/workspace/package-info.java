/**
 * The SQL side of the server's console: {@link dev.freshet.sql.workspace.SqlWorkspace}, a SQL
 * session for a long-running process (tables, snapshot queries, {@code INSERT INTO} jobs).
 */
package dev.freshet.sql.workspace;
