import Glibc
import GroveClient

/// Sends a four-letter word on a raw connection (no session) and returns the server's answer,
/// read until it closes the connection. Tries each server of the list in turn.
func fourLetterWord(_ word: String, servers: [ServerAddress], timeoutSeconds: Double) throws(ZooKeeperError) -> String {
  guard word.utf8.count == 4 else { throw .invalidArgument("a four-letter word has four letters, not '\(word)'") }
  var lastError = ZooKeeperError.connectTimeout
  for server in servers {
    do {
      return try ask(word, server: server, timeoutSeconds: timeoutSeconds)
    } catch {
      lastError = error
    }
  }
  throw lastError
}

private func ask(_ word: String, server: ServerAddress, timeoutSeconds: Double) throws(ZooKeeperError) -> String {
  var hints = addrinfo()
  hints.ai_family = AF_INET
  hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
  var result: UnsafeMutablePointer<addrinfo>?
  guard getaddrinfo(server.host, String(server.port), &hints, &result) == 0, let info = result else {
    throw .invalidArgument("cannot resolve \(server.host)")
  }
  defer { freeaddrinfo(result) }
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw .connectionLoss }
  defer { close(fd) }
  var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds.truncatingRemainder(dividingBy: 1)) * 1_000_000))
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { throw .connectTimeout }
  let bytes = Array(word.utf8)
  guard write(fd, bytes, bytes.count) == bytes.count else { throw .connectionLoss }
  var answer: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  // Bounded: at most 64 MiB, and each read waits at most the timeout.
  while answer.count < 64 << 20 {
    let n = read(fd, &buffer, buffer.count)
    if n <= 0 { break }
    answer.append(contentsOf: buffer[0..<n])
  }
  return String(decoding: answer, as: UTF8.self)
}
