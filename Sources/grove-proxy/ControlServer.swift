import Transport

/// The control channel: a line protocol on a loopback TCP port. Each line is one command
/// (`ControlCommand`); each gets one answer line, `ok <status>` or `error: <why>`. A connection may
/// send many commands; a line over `lineBytesMax` closes it.
///
/// TCP rather than a Unix socket because `Transport` speaks IPv4 TCP only; a cluster gives each
/// proxy its own loopback address, so control ports never collide.
final class ControlServer: ListenerHandler, ConnectionHandler {
  unowned let proxy: Proxy
  /// Partial lines, per control connection.
  private var pending: [ConnectionID: [UInt8]] = [:]
  static let lineBytesMax = 1024

  init(proxy: Proxy) { self.proxy = proxy }

  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    var buffer = pending[connection.id, default: []] + bytes
    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
      let line = String(decoding: buffer[..<newline], as: UTF8.self)
      buffer.removeSubrange(...newline)
      connection.write(Array((proxy.execute(line: line) + "\n").utf8))
    }
    if buffer.count > Self.lineBytesMax {
      connection.write(Array("error: \(ControlError.lineTooLong)\n".utf8))
      connection.close()
      pending[connection.id] = nil
      return
    }
    pending[connection.id] = buffer
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    pending[connection.id] = nil
  }
}
