// Independent client: Java 17 java.net.http.WebSocket. args[0] = ws URL; prints JSON (non-ASCII escaped).
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

public class Interop {
  static final class Events implements WebSocket.Listener {
    final BlockingQueue<String> q = new LinkedBlockingQueue<>();
    StringBuilder text = new StringBuilder();
    ByteArrayOutputStream bin = new ByteArrayOutputStream();

    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) { q.add("T" + text); text = new StringBuilder(); }
      ws.request(1);
      return null;
    }
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()]; data.get(b); bin.writeBytes(b);
      if (last) { StringBuilder h = new StringBuilder(); for (byte x : bin.toByteArray()) h.append(String.format("%02x", x)); q.add("B" + h); bin = new ByteArrayOutputStream(); }
      ws.request(1);
      return null;
    }
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer data) {
      byte[] b = new byte[data.remaining()]; data.get(b);
      q.add("P" + new String(b, StandardCharsets.UTF_8));
      ws.request(1);
      return null;
    }
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      q.add("C" + code + " " + reason);
      return null;
    }
    public void onError(WebSocket ws, Throwable error) { q.add("E" + error); }
    String next() throws Exception {
      String s = q.poll(10, TimeUnit.SECONDS);
      if (s == null) throw new IllegalStateException("no event within 10 s");
      return s;
    }
  }

  public static void main(String[] args) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create(args[0]);
    Events ev = new Events();
    WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, ev).join();
    Map<String, Object> r = new LinkedHashMap<>();
    ws.sendText("hello", true).join(); r.put("echoText", ev.next().substring(1));
    ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 255}), true).join(); r.put("echoBinaryHex", ev.next().substring(1));
    ws.sendText("h\u00e9llo \u2713 \uD83D\uDE00", true).join(); r.put("echoUnicode", ev.next().substring(1));
    ws.sendText("frag", false).join(); ws.sendText("mented", true).join(); r.put("fragmented", ev.next().substring(1));
    ws.sendPing(ByteBuffer.wrap("p1".getBytes(StandardCharsets.UTF_8))).join(); r.put("pong", ev.next().substring(1));
    ws.sendText("server-fragments", true).join(); r.put("serverFragments", ev.next().substring(1));
    ws.sendText("ping-me", true).join(); r.put("serverPing", ev.next().substring(1));
    ws.sendClose(4001, "bye").join();
    String c = ev.next().substring(1);
    r.put("closeCode", Integer.parseInt(c.substring(0, c.indexOf(' ')))); r.put("closeReason", c.substring(c.indexOf(' ') + 1));

    Events ev2 = new Events();
    WebSocket ws2 = http.newWebSocketBuilder().buildAsync(uri, ev2).join();
    ws2.sendText("close-me", true).join();
    String c2 = ev2.next();
    if (!c2.startsWith("C")) throw new IllegalStateException("expected a close, got " + c2);
    c2 = c2.substring(1);
    // The listener returned null from onClose: the JDK answers the close frame with the same code.
    r.put("serverCloseCode", Integer.parseInt(c2.substring(0, c2.indexOf(' ')))); r.put("serverCloseReason", c2.substring(c2.indexOf(' ') + 1));
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, Object> e : r.entrySet()) {
      if (out.length() > 1) out.append(',');
      out.append('"').append(e.getKey()).append("\":");
      if (e.getValue() instanceof Integer) out.append(e.getValue());
      else out.append('"').append(escape((String) e.getValue())).append('"');
    }
    System.out.println(out.append('}'));
    System.exit(0);
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20 || ch > 0x7e) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.toString();
  }
}
