/** The fraud-alerts example: card transactions, SQL alerts into a stream, delivered to PostgreSQL ({@link dev.freshet.examples.fraud.FraudAlerts}). */
package dev.freshet.examples.fraud;
