package io.eddy.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away certificates for tests: the JDK's {@code keytool}, run as a process, makes a self-signed key pair for
 * 127.0.0.1/localhost in a PKCS#12 store, and this class writes the certificate and the PKCS#8 key as PEM files.
 */
public final class TestCertificates {
  private TestCertificates() {}

  /** A certificate and its key as PEM files. */
  public record Pem(Path certificate, Path key) {}

  /**
   * @param dir  where to write {@code <name>.p12}, {@code <name>.crt} and {@code <name>.key}
   * @param name the alias and file stem
   * @return the PEM files
   */
  public static Pem selfSigned(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    String password = "changeit";
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", password, "-keypass", password));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("keytool did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed (" + p.exitValue() + "): " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, password.toCharArray());
    }
    Key key = ks.getKey(name, password.toCharArray());
    Certificate cert = ks.getCertificate(name);
    Path crt = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", cert.getEncoded()));
    Path pk = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
    return new Pem(crt, pk);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
