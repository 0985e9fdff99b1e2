import PeerWire
import RaftCore
import Testing

@Suite("PeerWire fuzz")
struct FuzzTests {
  /// Decodes `stream` in random chunks; whatever it yields must survive a second round trip.
  static func check(_ stream: [UInt8], random: inout SeededRandom, frameBytesMax: Int) -> Int {
    var decoder = PeerFrameDecoder(frameBytesMax: frameBytesMax)
    var offset = 0
    var decodedCount = 0
    while offset < stream.count {
      let step = min(stream.count - offset, random.int(in: 1...64))
      decoder.append(stream[offset..<offset + step])
      offset += step
      do {
        while let message = try decoder.next() {
          decodedCount += 1
          // What decodes must encode to a frame that decodes to the same value.
          let again = try? PeerMessage.decodeFrame(message.encodedFrame())
          #expect(again == message)
        }
      } catch {
        #expect(decoder.error == error)
        break
      }
      #expect(decoder.bufferedBytes <= stream.count)
    }
    return decodedCount
  }

  @Test("60,000 mutated and random frames decode or fail with a typed error, never trap")
  func fuzz() {
    var random = SeededRandom(seed: 0xF022)
    var decodedTotal = 0
    for round in 0..<60_000 {
      var stream: [UInt8]
      switch round % 4 {
      case 0:
        // Pure noise, with a plausible length prefix half the time.
        stream = random.bytes(countMax: 120)
        if random.chance(0.5) && stream.count >= 5 {
          let length = UInt32(stream.count - 4)
          stream[0] = 0
          stream[1] = 0
          stream[2] = UInt8(length >> 8)
          stream[3] = UInt8(length & 0xFF)
        }
      default:
        // A valid frame or two with a few bytes flipped, inserted, removed or truncated.
        stream = random.peerMessage().encodedFrame()
        if random.chance(0.3) { stream += random.peerMessage().encodedFrame() }
        for _ in 0..<random.int(in: 1...4) {
          guard !stream.isEmpty else { break }
          let at = Int(random.below(UInt64(stream.count)))
          switch random.below(4) {
          case 0: stream[at] = UInt8(truncatingIfNeeded: random.next())
          case 1: stream[at] ^= UInt8(1) << UInt8(random.below(8))
          case 2: stream.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
          default: stream.removeSubrange(at...)
          }
        }
      }
      decodedTotal += Self.check(stream, random: &random, frameBytesMax: random.chance(0.1) ? 64 : 1 << 16)
    }
    // The mutations must leave many frames valid, or the fuzz exercises only the first byte.
    #expect(decodedTotal > 10_000)
  }
}
