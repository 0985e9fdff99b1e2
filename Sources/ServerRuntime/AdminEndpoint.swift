import Transport

/// A minimal HTTP/1.0 endpoint on the admin port: `GET /metrics` answers the node's figures in
/// Prometheus' text format (the same figures as `mntr`); anything else is 404. One request per
/// connection; requests over 8 KiB are refused. Loop-confined.
final class AdminEndpoint: ListenerHandler, ConnectionHandler {
  let loop: EventLoop
  /// Supplies the figures when a scrape arrives (called on the loop thread).
  let metrics: () -> [(String, String)]
  var listener: Listener?
  var requests: [ConnectionID: [UInt8]] = [:]
  static let requestBytesMax = 8 * 1024

  init(loop: EventLoop, metrics: @escaping () -> [(String, String)]) {
    self.loop = loop
    self.metrics = metrics
  }

  func start(on address: SocketAddress) throws(TransportError) {
    var options = ListenerOptions()
    options.connectionsMax = 64
    listener = try loop.listen(on: address, options: options, handler: self)
  }

  func stop() { listener?.close() }

  var boundAddress: SocketAddress? { listener?.localAddress }

  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    var request = requests[connection.id, default: []]
    request += bytes
    guard request.count <= Self.requestBytesMax else {
      respond(connection, status: "413 Payload Too Large", body: "request too large\n")
      return
    }
    guard let end = Self.headerEnd(request) else {
      requests[connection.id] = request
      return
    }
    requests[connection.id] = nil
    let line = String(decoding: request[0..<end].prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
    let parts = line.split(separator: " ")
    if parts.count >= 2, parts[0] == "GET", parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?") {
      respond(connection, status: "200 OK", body: Self.prometheusText(metrics()), contentType: "text/plain; version=0.0.4")
    } else {
      respond(connection, status: "404 Not Found", body: "try GET /metrics\n")
    }
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    requests[connection.id] = nil
  }

  func respond(_ connection: Connection, status: String, body: String, contentType: String = "text/plain") {
    let bodyBytes = Array(body.utf8)
    let head = "HTTP/1.0 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n"
    _ = connection.write(Array(head.utf8) + bodyBytes)
    connection.close()
  }

  static func headerEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
      return i
    }
    return nil
  }

  /// Numeric figures as gauges; text ones (state, version) as a label on a gauge of 1.
  static func prometheusText(_ figures: [(String, String)]) -> String {
    var text = ""
    for (name, value) in figures {
      let metric = sanitize(name)
      if Double(value) != nil {
        text += "# TYPE \(metric) gauge\n\(metric) \(value)\n"
      } else {
        let escaped = value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        text += "# TYPE \(metric) gauge\n\(metric){value=\"\(escaped)\"} 1\n"
      }
    }
    return text
  }

  static func sanitize(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
  }
}

extension String {
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}
