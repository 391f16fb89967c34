# Independent client: Python `websockets` (Debian python3-websockets). argv[1] = ws URL; prints JSON.
import asyncio, json, sys
import websockets

async def main(url):
    r = {}
    ws = await websockets.connect(url)
    await ws.send("hello"); r["echoText"] = await ws.recv()
    await ws.send(bytes([1, 2, 3, 255])); r["echoBinaryHex"] = (await ws.recv()).hex()
    await ws.send("h\u00e9llo \u2713 \U0001F600"); r["echoUnicode"] = await ws.recv()
    await ws.send(["frag", "mented"]); r["fragmented"] = await ws.recv()
    waiter = await ws.ping(b"p1"); await asyncio.wait_for(waiter, 5); r["pong"] = "p1"
    await ws.send("server-fragments"); r["serverFragments"] = await ws.recv()
    await ws.send("ping-me"); r["serverPing"] = await ws.recv()
    await ws.close(code=4001, reason="bye")
    r["closeCode"] = ws.close_code; r["closeReason"] = ws.close_reason
    ws2 = await websockets.connect(url)
    await ws2.send("close-me")
    try:
        await asyncio.wait_for(ws2.recv(), 5)
    except websockets.ConnectionClosed:
        pass
    await ws2.wait_closed()
    r["serverCloseCode"] = ws2.close_code; r["serverCloseReason"] = ws2.close_reason
    print(json.dumps(r))

asyncio.run(asyncio.wait_for(main(sys.argv[1]), 20))
