/** The log-delivery example: an access log through the agent into a Firehose delivery stream ({@link dev.freshet.examples.logs.LogDelivery}). */
package dev.freshet.examples.logs;
