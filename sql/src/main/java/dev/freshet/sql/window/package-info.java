/** What Freshet adds to Beam SQL's planner: Top-N per window (numbering functions over windowed input) and CUMULATE windows. */
package dev.freshet.sql.window;
