import Foundation
import Glibc
import Testing
import ZooKeeperWire

/// A real `grove-server` process, spoken to over loopback sockets.
@Suite("single-node grove-server process", .serialized)
struct SingleNodeServerTests {
  @Test("garbage, oversize and half frames close only their own connections; others keep being served")
  func hostileClients() throws {
    let server = try ServerProcess(name: "hostile")
    defer { server.stop() }
    try server.start()
    let good = try TestSocket(port: server.port)
    _ = try good.handshake()
    #expect(try good.call(xid: 1, .create(CreateRequest(path: "/alive", data: [1], acl: ACL.openUnsafe, mode: .persistent))).0.err == .ok)

    let hostile: [[UInt8]] = [
      [UInt8](repeating: 0xff, count: 64),  // negative length
      [0x00, 0x20, 0x00, 0x00] + [UInt8](repeating: 0, count: 16),  // 2 MiB announced, over jute.maxbuffer
      [0, 0, 0, 5, 1, 2, 3, 4, 5],  // a frame that is not a ConnectRequest
      Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
    ]
    for bytes in hostile {
      let socket = try TestSocket(port: server.port)
      try socket.write(bytes)
      #expect(socket.isClosedByPeer(), "the server kept a connection that sent \(bytes.prefix(8))")
    }
    // Garbage after a good handshake.
    let late = try TestSocket(port: server.port)
    _ = try late.handshake()
    try late.write([0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff])
    #expect(late.isClosedByPeer())
    // Half a frame, then silence: the server waits without harm; the other client is unaffected.
    let half = try TestSocket(port: server.port)
    try half.write([0, 0, 0, 44, 0, 0])
    #expect(try good.call(xid: 2, .getData(GetDataRequest(path: "/alive"))).0.err == .ok)
    #expect(server.isRunning)
    #expect(try server.fourLetterWord("ruok") == "imok")
  }

  @Test("acknowledged writes survive SIGKILL and a restart")
  func survivesKill() throws {
    let server = try ServerProcess(name: "restart")
    defer { server.stop() }
    try server.start()
    let client = try TestSocket(port: server.port)
    _ = try client.handshake()
    for i in 0..<200 {
      let (header, _) = try client.call(
        xid: Int32(i + 1), .create(CreateRequest(path: "/k\(i)", data: Array("value \(i)".utf8), acl: ACL.openUnsafe, mode: .persistent)))
      #expect(header.err == .ok)
    }
    server.kill(SIGKILL)
    try server.start()
    let again = try TestSocket(port: server.port)
    _ = try again.handshake()
    for i in [0, 99, 199] {
      var (header, reader) = try again.call(xid: Int32(i + 1), .getData(GetDataRequest(path: "/k\(i)")))
      #expect(header.err == .ok)
      let response = try reader.read(GetDataResponse.self)
      #expect(response.data == Array("value \(i)".utf8))
    }
    let (header, reader) = try again.call(xid: 999, .getAllChildrenNumber(GetAllChildrenNumberRequest(path: "/")))
    var r = reader
    #expect(header.err == .ok)
    #expect(try r.read(GetAllChildrenNumberResponse.self).totalNumber == 203)  // 200 + /zookeeper and its two children, as ZooKeeper counts
  }

  @Test("a damaged log refuses to start, naming the file and offset")
  func damagedLog() throws {
    let server = try ServerProcess(name: "damaged")
    defer { server.stop() }
    try server.start()
    let client = try TestSocket(port: server.port)
    _ = try client.handshake()
    for i in 0..<50 {
      _ = try client.call(xid: Int32(i + 1), .create(CreateRequest(path: "/d\(i)", data: [UInt8](repeating: 7, count: 100), acl: ACL.openUnsafe, mode: .persistent)))
    }
    server.kill(SIGKILL)
    // Flip a byte early in the newest segment: corruption before the tail, not a torn write.
    let logDirectory = server.dataPath + "/raft"
    let segments = try FileManager.default.contentsOfDirectory(atPath: logDirectory).filter { $0.hasSuffix(".wal") || $0.contains("segment") }.sorted()
    guard let segment = segments.last else {
      Issue.record("no segment file in \(logDirectory): \(try FileManager.default.contentsOfDirectory(atPath: logDirectory))")
      return
    }
    let path = logDirectory + "/" + segment
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[600] ^= 0x5a
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(throws: TestFailure.self) { try server.start() }
    let log = server.serverLog()
    #expect(log.contains(segment), "the refusal names the file: \(log.suffix(400))")
    #expect(log.contains("offset"), "the refusal names the offset: \(log.suffix(400))")
  }

  @Test("a bad config key is refused with its file and line; the exit code is not 0")
  func badConfig() throws {
    let server = try ServerProcess(name: "badconfig", extraConfig: "tickTme=2000")
    defer { server.stop() }
    #expect(throws: TestFailure.self) { try server.start() }
    #expect(server.serverLog().contains("zoo.cfg:8: unknown key 'tickTme'"), "\(server.serverLog())")
    #expect(server.process?.terminationStatus == 1)
  }
}
