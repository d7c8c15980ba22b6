/** Beam SQL over Freshet streams: table providers, windowed analytics and the SQL shell. */
package dev.freshet.sql;
