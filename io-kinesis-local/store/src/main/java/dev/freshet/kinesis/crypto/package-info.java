/** Server-side encryption for the embedded store: a local stand-in for KMS keys and the record cipher. */
package dev.freshet.kinesis.crypto;
