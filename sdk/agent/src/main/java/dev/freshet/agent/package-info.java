/** The file-tailing agent: flows from files matched by a glob into a stream or a delivery stream. */
package dev.freshet.agent;
