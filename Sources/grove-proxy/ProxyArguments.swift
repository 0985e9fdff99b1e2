import Transport

/// Why the command line was refused.
struct ProxyArgumentError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Parses grove-proxy's command line.
enum ProxyArguments {
  /// `--listen HOST:PORT --target HOST:PORT --control [HOST:]PORT [--source HOST] [--seed N]`.
  /// - Throws: `ProxyArgumentError` for a missing or unknown option or a bad address.
  static func parse(_ arguments: [String]) throws(ProxyArgumentError) -> ProxyConfig {
    var listen: SocketAddress?
    var target: SocketAddress?
    var control: SocketAddress?
    var source: SocketAddress?
    var seed: UInt64?
    var rest = arguments[...]
    while let option = rest.popFirst() {
      guard let value = rest.popFirst() else { throw ProxyArgumentError("\(option) needs a value") }
      switch option {
      case "--listen": listen = try address(value, option)
      case "--target": target = try address(value, option)
      case "--control": control = try controlAddress(value)
      case "--source":
        do { source = try SocketAddress(host: value, port: 0) } catch {
          throw ProxyArgumentError("--source: '\(value)' is not an IPv4 address")
        }
      case "--seed":
        guard let parsed = UInt64(value) else { throw ProxyArgumentError("--seed: '\(value)' is not a number") }
        seed = parsed
      default: throw ProxyArgumentError("unknown option '\(option)'")
      }
    }
    guard let listen, let target, let control else {
      throw ProxyArgumentError("--listen, --target and --control are required")
    }
    var config = ProxyConfig(listenAddress: listen, targetAddress: target, sourceHost: source, controlAddress: control)
    if let seed { config.seed = seed }
    return config
  }

  /// A control address: `HOST:PORT`, or a bare port on 127.0.0.1.
  static func controlAddress(_ text: String) throws(ProxyArgumentError) -> SocketAddress {
    if let port = UInt16(text) { return .loopback(port: port) }
    return try address(text, "--control")
  }

  private static func address(_ text: String, _ option: String) throws(ProxyArgumentError) -> SocketAddress {
    do { return try SocketAddress(parsing: text) } catch {
      throw ProxyArgumentError("\(option): '\(text)' is not HOST:PORT with an IPv4 host")
    }
  }
}
