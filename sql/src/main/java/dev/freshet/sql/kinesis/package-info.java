/** The {@code kinesis} table type of Beam SQL: streams as tables, read and written through StreamIO. */
package dev.freshet.sql.kinesis;
