import Foundation
import Glibc
import ZooKeeperWire

/// An executable built next to the test bundle by `swift build --build-tests` (`swift test`).
func builtExecutable(_ name: String) -> String? {
  let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
  for _ in 0..<4 {
    let candidate = directory.appendingPathComponent(name).path
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    directory = directory.deletingLastPathComponent()
  }
  return nil
}

/// A scratch directory removed by `remove()`.
struct ScratchDirectory {
  let path: String
  init(_ name: String) {
    path = NSTemporaryDirectory() + "grove-it-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A free TCP port on 127.0.0.1 (bound and released; the kernel will not hand it out again soon).
func freePort() -> UInt16 {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  _ = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
  }
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
  }
  return UInt16(bigEndian: address.sin_port)
}

/// A `grove-server` child process with its own config and data directory.
final class ServerProcess {
  let path: String
  let host: String
  let port: UInt16
  let configPath: String
  /// Removed by `stop()` when this process owns it (a standalone server).
  let ownedDirectory: ScratchDirectory?
  var process: Process?
  var logPath: String { path + "/server.log" }
  var dataPath: String { path + "/data" }

  /// A standalone server on 127.0.0.1 in a scratch directory of its own.
  convenience init(name: String, extraConfig: String = "") throws {
    let directory = ScratchDirectory(name)
    let port = freePort()
    let config = """
      tickTime=500
      dataDir=\(directory.path)/data
      clientPort=\(port)
      clientPortAddress=127.0.0.1
      maxClientCnxns=0
      minSessionTimeout=1000
      4lw.commands.whitelist=*
      \(extraConfig)
      """
    try self.init(directory: directory.path, host: "127.0.0.1", port: port, config: config, owned: directory)
  }

  init(directory: String, host: String, port: UInt16, config: String, owned: ScratchDirectory? = nil) throws {
    path = directory
    self.host = host
    self.port = port
    ownedDirectory = owned
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    configPath = directory + "/zoo.cfg"
    try config.write(toFile: configPath, atomically: true, encoding: .utf8)
  }

  /// Starts the server and waits (bounded) until it answers `ruok`.
  func start() throws {
    try launch()
    try waitUntilServing()
  }

  /// Starts the process without waiting.
  func launch() throws {
    guard let executable = builtExecutable("grove-server") else {
      throw TestFailure("grove-server is not built next to the tests; run `swift build --build-tests`")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["--config", configPath]
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    log.seekToEndOfFile()
    process.standardError = log
    process.standardOutput = log
    try process.run()
    self.process = process
  }

  /// Waits (bounded) until the server answers `ruok`.
  func waitUntilServing() throws {
    guard let process else { throw TestFailure("not launched") }
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
      if !process.isRunning { throw TestFailure("grove-server exited: \(serverLog())") }
      if (try? fourLetterWord("ruok")) == "imok" { return }
      usleep(50_000)
    }
    throw TestFailure("grove-server did not answer within 20 s: \(serverLog())")
  }

  func serverLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  var isRunning: Bool { process?.isRunning ?? false }

  func kill(_ signal: Int32 = SIGKILL) {
    guard let process, process.isRunning else { return }
    Glibc.kill(process.processIdentifier, signal)
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(20_000) }
  }

  func stop() {
    kill(SIGTERM)
    kill(SIGKILL)
    ownedDirectory?.remove()
  }

  /// Deletes the data directory (the node loses its disk).
  func wipe() throws {
    try FileManager.default.removeItem(atPath: dataPath)
  }

  func fourLetterWord(_ word: String) throws -> String {
    let socket = try TestSocket(host: host, port: port)
    try socket.write(Array(word.utf8))
    return String(decoding: try socket.readToEnd(), as: UTF8.self)
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// A blocking loopback TCP socket with a receive timeout: enough to speak ZooKeeper's protocol
/// byte by byte in tests, including the bytes no client library would send.
final class TestSocket {
  let fd: Int32
  var decoder = FrameDecoder(frameBytesMax: 16 << 20)

  init(host: String = "127.0.0.1", port: UInt16, timeoutMs: Int = 5000) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = port.bigEndian
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
      let error = errno
      close()  // once: deinit, which runs after a throwing init, closes only an open socket
      throw TestFailure("connect to \(port): \(String(cString: strerror(error)))")
    }
    var timeout = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  }

  private var isOpen = true

  deinit { close() }

  /// Closes the connection (without closeSession, as a client that vanished).
  func close() {
    guard isOpen else { return }
    isOpen = false
    Glibc.close(fd)
  }

  func write(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
      guard n > 0 else { throw TestFailure("send: \(String(cString: strerror(errno)))") }
      offset += n
    }
  }

  /// Bytes until the peer closes (or the timeout passes).
  func readToEnd() throws -> [UInt8] {
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n > 0 { all += buffer[0..<n] } else { return all }
    }
  }

  /// Whether the server closed the connection (within the timeout).
  func isClosedByPeer() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n == 0 { return true }
      if n < 0 { return errno == ECONNRESET }
    }
  }

  /// The next whole frame, or nil if the connection closed first.
  func readFrame() throws -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      if let frame = try decoder.nextFrame() { return frame }
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n == 0 { return nil }
      guard n > 0 else { throw TestFailure("recv: \(String(cString: strerror(errno)))") }
      decoder.append(buffer[0..<n])
    }
  }

  /// The next watch event, skipping nothing else (bounded by the socket timeout).
  func readEvent() throws -> WatcherEvent? {
    while let frame = try readFrame() {
      var reader = JuteReader(frame)
      let header = try reader.read(ReplyHeader.self)
      if header.xid == .notification { return try reader.read(WatcherEvent.self) }
    }
    return nil
  }

  /// Opens a session: ConnectRequest out, ConnectResponse back.
  func handshake(timeoutMs: Int32 = 10_000, session: SessionID = .none, password: [UInt8] = [UInt8](repeating: 0, count: 16)) throws -> ConnectResponse {
    try write(
      Frame.record(
        ConnectRequest(protocolVersion: 0, lastZxidSeen: .zero, timeOutMs: timeoutMs, sessionID: session, passwd: password, readOnly: false)))
    guard let frame = try readFrame() else { throw TestFailure("closed during the handshake") }
    var reader = JuteReader(frame)
    return try reader.read(ConnectResponse.self)
  }

  /// Sends a request and returns its reply header and body reader (skipping watch events).
  func call(xid: Int32, _ request: ClientRequest) throws -> (ReplyHeader, JuteReader) {
    try write(Frame.request(xid: Xid(xid), request))
    while true {
      guard let frame = try readFrame() else { throw TestFailure("closed while waiting for xid \(xid)") }
      var reader = JuteReader(frame)
      let header = try reader.read(ReplyHeader.self)
      if header.xid == .notification { continue }
      return (header, reader)
    }
  }
}
