// The README's browser example: the front end of RoomEndpoint, typed by its contract (type-checked by npm run lint).
import { connect } from "ws-endpoints/browser";
import type { RoomContract } from "./room-contract.js"; // the contract's type only: no server code in the bundle

const room = connect<RoomContract>("wss://chat.example.com/rooms/lobby"); // reconnects; sends wait while offline
room.onState((s) => console.log(s.state === "reconnecting" ? `reconnecting in ${s.delay} ms` : s.state));
room.on("said", (m) => console.log(m.text));
room.request("say", { text: "hello" }, { timeout: 5000 }).then(
  () => console.log("acknowledged"), // the reply carrying this request's id
  (error: Error) => console.error(error.message), // RequestError (the server's VALIDATION_FAILED, …) or RequestTimeoutError
);
// room.send("say", { txt: "hello" }) would not compile: the contract says `text`.
