import CLinuxShims
import Glibc
import Synchronization
import Testing

@testable import Transport

/// Every wait in these tests gives up after this long, so a broken loop fails instead of hanging.
let waitLimitMs: UInt64 = 15_000

/// A list appended to on the loop thread and read by the test thread.
final class Recorder<Element: Sendable>: Sendable {
  private let items = Mutex<[Element]>([])
  func append(_ item: Element) { items.withLock { $0.append(item) } }
  var snapshot: [Element] { items.withLock { $0 } }
  var count: Int { items.withLock { $0.count } }
}

/// Polls `condition` until it holds or `waitLimitMs` passes (at most a few thousand polls);
/// returns whether it held.
@discardableResult
func waitUntil(_ condition: () -> Bool) -> Bool {
  let deadlineNs = grove_monotonic_ns() + waitLimitMs * 1_000_000
  while !condition() {
    if grove_monotonic_ns() > deadlineNs { return false }
    usleep(2_000)
  }
  return true
}

/// A deterministic generator (SplitMix64), so a failing run can be replayed.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Bytes of a recognisable pattern: byte i is `(i * 7 + seed) % 251`, so reordering shows.
func patternBytes(count: Int, seed: Int = 0) -> [UInt8] {
  [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
    var value = seed % 251
    for index in 0..<count {
      buffer[index] = UInt8(truncatingIfNeeded: value)
      value += 7
      if value >= 251 { value -= 251 }
    }
    initialized = count
  }
}

/// A plain blocking socket for the test's side of a connection, with bounded waits.
final class BlockingClient {
  let fd: Int32

  /// Connects to `peer`, bound first to `source` when given. Throws on failure.
  init(connectTo peer: SocketAddress, from source: SocketAddress? = nil, receiveBufferBytes: Int32? = nil)
    throws
  {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TransportError.system(call: "socket", errno: errno) }
    if let receiveBufferBytes { _ = grove_set_receive_buffer(fd, receiveBufferBytes) }
    if let source, grove_bind_ipv4(fd, source.ipv4, source.port) != 0 {
      let error = errno
      shutdownDescriptor()
      throw TransportError.system(call: "bind", errno: error)
    }
    if grove_connect_ipv4(fd, peer.ipv4, peer.port) != 0 {
      let error = errno
      shutdownDescriptor()
      throw TransportError.system(call: "connect", errno: error)
    }
  }

  // Closes at most once: a second close(2) of the same number would close whatever socket
  // another test in this process has opened under it since (seen as EBADF and early closes in
  // EchoTests).
  deinit { shutdownDescriptor() }

  /// Sends every byte (blocking).
  func send(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent <= 0 { return }
      offset += sent
    }
  }

  /// Reads until `count` bytes arrived, end of file, an error, or the wait limit.
  func receive(count: Int) -> [UInt8] {
    var received: [UInt8] = []
    let deadlineNs = grove_monotonic_ns() + waitLimitMs * 1_000_000
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while received.count < count && grove_monotonic_ns() < deadlineNs {
      guard waitReadable(timeoutMs: 100) else { continue }
      let n = buffer.withUnsafeMutableBytes {
        Glibc.read(fd, $0.baseAddress, min($0.count, count - received.count))
      }
      if n <= 0 { break }
      received += buffer[0..<n]
    }
    return received
  }

  /// Reads until end of file (or an error, or the wait limit); returns the bytes and whether end of
  /// file (rather than an error or the limit) ended it.
  func receiveUntilEndOfFile() -> (bytes: [UInt8], sawEndOfFile: Bool) {
    var received: [UInt8] = []
    let deadlineNs = grove_monotonic_ns() + waitLimitMs * 1_000_000
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while grove_monotonic_ns() < deadlineNs {
      guard waitReadable(timeoutMs: 100) else { continue }
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n == 0 { return (received, true) }
      if n < 0 { return (received, false) }
      received += buffer[0..<n]
    }
    return (received, false)
  }

  /// The local address the kernel gave this socket.
  var localAddress: SocketAddress {
    var address: UInt32 = 0
    var port: UInt16 = 0
    _ = grove_local_address_ipv4(fd, &address, &port)
    return SocketAddress(ipv4: address, port: port)
  }

  /// Sends a FIN, keeps reading.
  func shutdownWrite() { _ = grove_shutdown_write(fd) }

  /// Closes with a reset (SO_LINGER 0).
  func reset() {
    _ = grove_set_linger_zero(fd)
    shutdownDescriptor()
  }

  /// Closes normally (FIN).
  func close() { shutdownDescriptor() }

  private var closed = false
  private func shutdownDescriptor() {
    guard !closed else { return }
    closed = true
    Glibc.close(fd)
  }

  private func waitReadable(timeoutMs: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, timeoutMs) > 0
  }
}

/// Echoes every byte back; records closes. Used as both listener and connection handler.
final class EchoServer: ListenerHandler, ConnectionHandler {
  let closes: Recorder<CloseReason>?
  let peers: Recorder<SocketAddress>?
  let refusals: Recorder<RefusalReason>?
  init(
    closes: Recorder<CloseReason>? = nil, peers: Recorder<SocketAddress>? = nil,
    refusals: Recorder<RefusalReason>? = nil
  ) {
    self.closes = closes
    self.peers = peers
    self.refusals = refusals
  }
  func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason) {
    refusals?.append(reason)
  }
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler {
    peers?.append(peer)
    return self
  }
  func connection(_ connection: Connection, received bytes: [UInt8]) { connection.write(bytes) }
  func connectionClosed(_ connection: Connection, reason: CloseReason) { closes?.append(reason) }
}

/// Starts a loop with an echo listener on 127.0.0.1 and an ephemeral port.
func startEchoServer(
  on host: String = "127.0.0.1", options: ListenerOptions = ListenerOptions(),
  closes: Recorder<CloseReason>? = nil, peers: Recorder<SocketAddress>? = nil,
  refusals: Recorder<RefusalReason>? = nil
) throws -> (loop: EventLoop, address: SocketAddress) {
  let loop = try EventLoop(name: "echo-server")
  let bindAddress = try SocketAddress(host: host, port: 0)
  let address = try loop.runAndWait {
    let server = EchoServer(closes: closes, peers: peers, refusals: refusals)
    return try loop.listen(on: bindAddress, options: options, handler: server).localAddress
  }
  return (loop, address)
}
