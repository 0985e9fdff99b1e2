import CLinuxShims
import Glibc
import Testing
import Transport

@testable import grove_proxy

/// Every wait in these tests gives up after this long, so a broken proxy fails instead of hanging.
let waitLimitMs: Int64 = 10_000

func nowMs() -> Int64 { Int64(grove_monotonic_ns() / 1_000_000) }

/// A thrown test failure with a message.
struct SocketTestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Bytes of a recognisable pattern, so loss or reordering shows.
func pattern(count: Int, seed: Int = 0) -> [UInt8] {
  // Built from one 251-byte cycle (7 is coprime to 251), so long streams are cheap in debug builds.
  let cycle = (0..<251).map { UInt8(truncatingIfNeeded: ($0 &* 7 &+ seed) % 251) }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(count + cycle.count)
  while bytes.count < count { bytes.append(contentsOf: cycle) }
  bytes.removeLast(bytes.count - count)
  return bytes
}

/// A socket of the test's own, driven with poll(2) and bounded waits.
final class TestSocket {
  let fd: Int32
  private var isClosed = false

  init(fd: Int32) { self.fd = fd }

  /// Connects to `peer` (blocking connect).
  static func connect(to peer: SocketAddress) throws -> TestSocket {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketTestError("socket failed") }
    let socket = TestSocket(fd: fd)
    guard grove_connect_ipv4(fd, peer.ipv4, peer.port) == 0 else {
      throw SocketTestError("connect to \(peer) failed: errno \(errno)")
    }
    return socket
  }

  deinit { close() }

  func close() {
    guard !isClosed else { return }
    isClosed = true
    Glibc.close(fd)
  }

  /// Sends every byte, waiting for room as needed.
  func send(_ bytes: [UInt8]) throws { try Self.send(bytes, on: fd) }

  /// Sends every byte on `fd`, waiting (up to the wait limit) for room as needed; usable from
  /// another thread, which only needs the descriptor.
  static func send(_ bytes: [UInt8], on fd: Int32) throws {
    var offset = 0
    let deadline = nowMs() + waitLimitMs
    while offset < bytes.count {
      guard nowMs() < deadline else { throw SocketTestError("send timed out") }
      var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      guard poll(&entry, 1, 100) > 0 else { continue }
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
      guard sent > 0 else { throw SocketTestError("send failed: errno \(errno)") }
      offset += sent
    }
  }

  /// Reads until `count` bytes arrived, end of file, an error or the wait limit.
  func receive(count: Int) -> [UInt8] {
    var received: [UInt8] = []
    let deadline = nowMs() + waitLimitMs
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while received.count < count && nowMs() < deadline {
      guard wait(for: Int16(POLLIN), timeoutMs: 100) else { continue }
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, count - received.count)) }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
      if n <= 0 { break }
      received += buffer[0..<n]
    }
    return received
  }

  /// Reads until end of file or a reset; true when the connection ended within the wait limit.
  func waitForEnd() -> Bool {
    let deadline = nowMs() + waitLimitMs
    var buffer = [UInt8](repeating: 0, count: 4096)
    while nowMs() < deadline {
      guard wait(for: Int16(POLLIN), timeoutMs: 100) else { continue }
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
      if n <= 0 { return true }
    }
    return false
  }

  /// Bytes readable right now, without waiting.
  var hasReadableBytes: Bool { wait(for: Int16(POLLIN), timeoutMs: 0) }

  private func wait(for events: Int16, timeoutMs: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: events, revents: 0)
    return poll(&entry, 1, timeoutMs) > 0
  }
}

/// A listening socket standing for the proxy's target.
final class TestTarget {
  let fd: Int32
  let address: SocketAddress

  init(host: String = "127.0.0.1") throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    let bind = try SocketAddress(host: host, port: 0)
    guard fd >= 0, grove_set_reuse_address(fd) == 0, grove_bind_ipv4(fd, bind.ipv4, 0) == 0,
      grove_listen(fd, 16) == 0
    else { throw SocketTestError("target listen failed: errno \(errno)") }
    var ip: UInt32 = 0
    var port: UInt16 = 0
    _ = grove_local_address_ipv4(fd, &ip, &port)
    address = SocketAddress(ipv4: ip, port: port)
  }

  deinit { Glibc.close(fd) }

  /// Accepts one connection within the wait limit; returns it with its peer address.
  func accept(withinMs limitMs: Int64 = waitLimitMs) throws -> (socket: TestSocket, peer: SocketAddress) {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, Int32(limitMs)) > 0 else { throw SocketTestError("no connection reached the target") }
    var ip: UInt32 = 0
    var port: UInt16 = 0
    let accepted = grove_accept_ipv4(fd, &ip, &port)
    guard accepted >= 0 else { throw SocketTestError("accept failed: errno \(errno)") }
    return (TestSocket(fd: accepted), SocketAddress(ipv4: ip, port: port))
  }

  /// Whether a connection is waiting to be accepted right now.
  var hasPendingConnection: Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, 0) > 0
  }
}

/// A proxy on its own loop, listening on 127.0.0.1 with ephemeral proxy and control ports.
final class RunningProxy {
  let loop: EventLoop
  let listenAddress: SocketAddress
  let controlAddress: SocketAddress

  init(target: SocketAddress, source: String? = nil) throws {
    loop = try EventLoop(name: "proxy-under-test")
    let config = ProxyConfig(
      listenAddress: .loopback(port: 0), targetAddress: target,
      sourceHost: try source.map { try SocketAddress(host: $0, port: 0) }, controlAddress: .loopback(port: 0))
    let loop = self.loop
    (listenAddress, controlAddress) = try loop.runAndWait {
      let proxy = Proxy(loop: loop, config: config)
      try proxy.start()
      return (proxy.listenAddress, proxy.controlAddress)
    }
  }

  deinit { loop.shutdownAndWait() }

  /// Sends a control line over the real control channel; returns the answer.
  @discardableResult
  func control(_ line: String) throws -> String {
    let answer = try sendControlCommand(line, to: controlAddress)
    guard answer.hasPrefix("ok") else { throw SocketTestError("control '\(line)': \(answer)") }
    return answer
  }

  /// The value of `key` in the status line.
  func status(_ key: String) throws -> String? {
    let answer = try control("status")
    return answer.split(separator: " ").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
  }

  /// A client connected through the proxy, and the target's side of that connection.
  func connectPair(_ target: TestTarget) throws -> (client: TestSocket, server: TestSocket, peer: SocketAddress) {
    let client = try TestSocket.connect(to: listenAddress)
    let (server, peer) = try target.accept()
    return (client, server, peer)
  }
}
