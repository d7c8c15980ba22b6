/** The {@code freshet} command: stream administration, put, tail and the demo on the embedded store. */
package dev.freshet.cli;
