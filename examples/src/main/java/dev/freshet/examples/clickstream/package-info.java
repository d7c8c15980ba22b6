/** Synthetic website click events: a seeded generator with skewed page popularity, sessions and referrers. */
package dev.freshet.examples.clickstream;
