package chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

@ServerEndpoint("/rooms/{room}")
public class ChatEndpoint {
    private String room;

    @OnOpen
    public void open(Session session, @PathParam("room") String room) {
        this.room = room;
        session.getAsyncRemote().sendText("joined " + room);
    }

    @OnMessage
    public String message(String text, Session session) {
        for (Session peer : session.getOpenSessions()) {
            if (peer != session) peer.getAsyncRemote().sendText(text);
        }
        return room + ": " + text;
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        System.out.println(session.getId() + " left: " + reason.getCloseCode());
    }
}
