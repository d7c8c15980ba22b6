package dev.freshet.sql.shell;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The JDBC driver sqlline connects through: it hands out the session's connection, Beam's {@code
 * jdbc:beam:} connection over Freshet's catalog with the shell's own statements in front.
 */
final class ShellDriver implements Driver {
  private final ShellSession session;

  ShellDriver(ShellSession session) {
    this.session = session;
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    return acceptsURL(url) ? session.connect() : null;
  }

  @Override
  public boolean acceptsURL(String url) {
    return SqlShell.URL.equals(url);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    return new DriverPropertyInfo[0];
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging here");
  }
}
