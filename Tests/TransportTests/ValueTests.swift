import Glibc
import Testing

@testable import Transport

@Suite("Values: addresses and the write queue")
struct ValueTests {
  @Test("dotted quads parse to host byte order and print back; bad text is rejected")
  func socketAddressParsing() throws {
    let address = try SocketAddress(host: "127.0.0.12", port: 2888)
    #expect(address.ipv4 == 0x7F00_000C)
    #expect(address.description == "127.0.0.12:2888")
    #expect(try SocketAddress(parsing: "10.1.2.3:2181") == SocketAddress(ipv4: 0x0A01_0203, port: 2181))
    for bad in ["localhost", "127.0.0", "256.0.0.1", "", "::1"] {
      #expect(throws: TransportError.invalidAddress(bad)) { try SocketAddress(host: bad, port: 1) }
    }
    for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", ":2181"] {
      #expect(throws: TransportError.self) { try SocketAddress(parsing: bad) }
    }
    #expect(try SocketAddress.resolve(host: "localhost", port: 7).host.hasPrefix("127."))
  }

  @Test("the write queue hands out exactly the appended bytes, in order, across partial sends")
  func writeQueueMatchesModel() {
    var queue = WriteQueue()
    var model: [UInt8] = []
    var sent: [UInt8] = []
    var random = SeededRandom(seed: 11)
    var countsAgree = true
    for _ in 0..<2_000 {
      if Bool.random(using: &random) {
        // Small writes coalesce into shared blocks, large ones get their own.
        let size =
          Bool.random(using: &random)
          ? Int.random(in: 1...100, using: &random) : Int.random(in: 1...20_000, using: &random)
        let bytes = patternBytes(count: size, seed: model.count)
        bytes.withUnsafeBytes { queue.append($0) }
        model += bytes
      } else if !queue.isEmpty {
        // Take a prefix of what one sendmsg would see, as a partial send does.
        let offeredCount = queue.withIovecs { $0.reduce(0) { $0 + $1.iov_len } }
        let taken = Int.random(in: 0...offeredCount, using: &random)
        sent += queue.withIovecs { prefix(of: $0, count: taken) }
        queue.consume(taken)
      }
      queue.checkInvariants()
      countsAgree = countsAgree && queue.queuedBytes == model.count - sent.count
    }
    #expect(countsAgree)
    while !queue.isEmpty {
      let offered = queue.withIovecs { prefix(of: $0, count: .max) }
      sent += offered
      queue.consume(offered.count)
    }
    #expect(sent == model)
  }

  @Test("at most 64 iovecs are offered to one sendmsg")
  func writeQueueBoundsIovecs() {
    var queue = WriteQueue()
    let large = [UInt8](repeating: 1, count: WriteQueue.coalesceBytesMax + 1)
    for _ in 0..<100 { large.withUnsafeBytes { queue.append($0) } }
    let count = queue.withIovecs { $0.count }
    #expect(count == WriteQueue.iovecsPerSendMax)
  }
}

/// The first `count` bytes described by `vectors`.
private func prefix(of vectors: UnsafeBufferPointer<iovec>, count: Int) -> [UInt8] {
  var bytes: [UInt8] = []
  for vector in vectors where bytes.count < count {
    let chunk = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
    bytes += chunk.prefix(count - bytes.count)
  }
  return bytes
}
