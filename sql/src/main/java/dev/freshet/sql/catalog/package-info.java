/** The persistent SQL catalog: table definitions kept as JSON files in the data folder. */
package dev.freshet.sql.catalog;
