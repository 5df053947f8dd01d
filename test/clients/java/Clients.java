// armorlake through pgjdbc (Debian's libpostgresql-jdbc-java), as DBeaver,
// Metabase and other JDBC tools use it: DatabaseMetaData, prepared
// statements (server-side after prepareThreshold uses), parameters of
// unspecified type, isValid, and a cursor-style fetch in a transaction.
// Prints one line per fact; test/clients_test.go checks them.
import java.sql.*;

public class Clients {
  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0], "armorlake", "")) {
      DatabaseMetaData md = c.getMetaData();
      System.out.println("product " + md.getDatabaseProductName() + " " + md.getDatabaseMajorVersion());
      try (ResultSet rs = md.getCatalogs()) {
        while (rs.next()) System.out.println("catalog " + rs.getString("TABLE_CAT"));
      }
      try (ResultSet rs = md.getSchemas()) {
        while (rs.next()) System.out.println("schema " + rs.getString("TABLE_SCHEM"));
      }
      try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
        while (rs.next()) System.out.println("table " + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
      }
      try (ResultSet rs = md.getColumns(null, "public", "messages", "%")) {
        while (rs.next()) {
          System.out.println("column " + rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME") + " "
              + rs.getString("TYPE_NAME") + " " + rs.getInt("DATA_TYPE") + " " + rs.getString("IS_NULLABLE"));
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT namespace_name, count(*) FROM alerts WHERE severity >= ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3")) {
        ps.setInt(1, 5);
        long first = -1;
        for (int i = 0; i < 7; i++) { // past prepareThreshold: a named server-side statement
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (first >= 0 && rs.getLong(2) != first) System.out.println("unstable " + first + " " + rs.getLong(2));
            first = rs.getLong(2);
          }
        }
        System.out.println("prepared " + (first > 0));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM alerts WHERE ts >= ?")) {
        ps.setTimestamp(1, new Timestamp(0)); // sent with type unspecified
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          System.out.println("since epoch " + rs.getLong(1));
        }
      }
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM alerts")) {
        rs.next();
        System.out.println("count " + rs.getLong(1));
      }
      System.out.println("valid " + c.isValid(5));
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.setFetchSize(10); // Execute with a row limit, PortalSuspended
        try (ResultSet rs = st.executeQuery("SELECT ts FROM logs ORDER BY ts LIMIT 35")) {
          int n = 0;
          while (rs.next()) n++;
          System.out.println("fetched " + n);
        }
      }
      c.commit();
      try (Statement st = c.createStatement()) {
        st.executeQuery("SELECT * FROM no_such_table");
      } catch (SQLException e) {
        System.out.println("error " + e.getSQLState());
      }
      c.rollback();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
        rs.next();
        System.out.println("after error " + rs.getInt(1));
      }
    }
  }
}
