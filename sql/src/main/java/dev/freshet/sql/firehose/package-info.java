/** The {@code firehose} table type: a Beam SQL sink that delivers rows through Freshet's Firehose delivery transform. */
package dev.freshet.sql.firehose;
