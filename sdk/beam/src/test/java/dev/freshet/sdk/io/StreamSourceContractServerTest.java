package dev.freshet.sdk.io;

/**
 * The source's contract read through a {@code freshet server} on loopback: GetRecords answers come
 * in Freshet's binary layout, and the reader builds each record from the answer's page, its
 * sequence number written out only when a checkpoint or the test asks for it.
 */
class StreamSourceContractServerTest extends StreamSourceContractTest {
  @Override
  boolean throughServer() {
    return true;
  }
}
