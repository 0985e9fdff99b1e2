import Foundation
import Testing
import ZooKeeperWire

/// A small seeded generator (SplitMix64), so a fuzz run is fully defined by its seed.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Hostile bytes never trap: random and mutated frames (mutations of the golden frames) go
/// through the frame decoder and every decoder; each ends in a value or a typed `JuteError`,
/// and whatever decodes re-encodes to bytes that decode to the same value.
///
/// `GROVE_FUZZ_SEED` and `GROVE_FUZZ_FRAMES` override the seed and count for long runs.
@Suite("Fuzzing the decoders with random and mutated frames")
struct FuzzTests {
  static let seed = UInt64(ProcessInfo.processInfo.environment["GROVE_FUZZ_SEED"] ?? "") ?? 0x6772_6F76_65
  static let frameCount = Int(ProcessInfo.processInfo.environment["GROVE_FUZZ_FRAMES"] ?? "") ?? 100_000

  /// Outcome counts, so the run proves it reached both the success and the error paths.
  struct Tally {
    var framesOut = 0
    var frameErrors = 0
    var requests = 0
    var requestErrors = 0
    var replies = 0
    var replyErrors = 0
    var connects = 0
    var connectErrors = 0
  }

  enum Mutation: CaseIterable {
    case bitFlips, truncate, corruptLength, randomLength, insertBytes, deleteBytes, splice,
      randomFrame, overwriteInt
  }

  static func mutate(
    _ frame: [UInt8], donor: [UInt8], _ mutation: Mutation, using rng: inout SplitMix64
  ) -> [UInt8] {
    var bytes = frame
    switch mutation {
    case .bitFlips:
      for _ in 0..<Int.random(in: 1...8, using: &rng) where !bytes.isEmpty {
        bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
      }
    case .truncate:
      bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
      if Bool.random(using: &rng), bytes.count >= 4 { patchLength(&bytes, Int32(bytes.count - 4)) }
    case .corruptLength:
      let choices: [Int32] = [
        -1, Int32.min, Int32.max, 0, 0x000f_ffff, 0x0010_0000,
        Int32(bytes.count - 4) + Int32.random(in: -8...8, using: &rng),
        Int32.random(in: Int32.min...Int32.max, using: &rng),
      ]
      if bytes.count >= 4 { patchLength(&bytes, choices.randomElement(using: &rng)!) }
    case .randomLength:
      // A length field inside the payload (string, buffer or vector count) made hostile.
      if bytes.count >= 8 {
        let offset = Int.random(in: 4...(bytes.count - 4), using: &rng)
        let values: [UInt32] = [
          0xffff_ffff, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0x0010_0000,
          UInt32.random(in: 0...300, using: &rng),
        ]
        write(&bytes, values.randomElement(using: &rng)!, at: offset)
      }
    case .insertBytes:
      let extra = (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
      }
      bytes.insert(contentsOf: extra, at: Int.random(in: 0...bytes.count, using: &rng))
      if Bool.random(using: &rng), bytes.count >= 4 { patchLength(&bytes, Int32(bytes.count - 4)) }
    case .deleteBytes:
      if !bytes.isEmpty {
        let start = Int.random(in: 0..<bytes.count, using: &rng)
        let end = min(bytes.count, start + Int.random(in: 1...16, using: &rng))
        bytes.removeSubrange(start..<end)
      }
      if Bool.random(using: &rng), bytes.count >= 4 { patchLength(&bytes, Int32(bytes.count - 4)) }
    case .splice:
      let cut = Int.random(in: 0...bytes.count, using: &rng)
      let from = Int.random(in: 0...donor.count, using: &rng)
      bytes = Array(bytes[..<cut]) + Array(donor[from...])
      if Bool.random(using: &rng), bytes.count >= 4 { patchLength(&bytes, Int32(bytes.count - 4)) }
    case .randomFrame:
      let count = Int.random(in: 0...160, using: &rng)
      bytes = [0, 0, 0, 0] + (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
      patchLength(&bytes, Int32(count))
      // Half the time keep a plausible request header so the body decoders are reached.
      if Bool.random(using: &rng), count >= 8 {
        write(&bytes, UInt32(bitPattern: Int32.random(in: -10...200, using: &rng)), at: 4)
        write(&bytes, UInt32(bitPattern: Int32.random(in: -12...110, using: &rng)), at: 8)
      }
    case .overwriteInt:
      if bytes.count >= 8 {
        let offset = Int.random(in: 4...(bytes.count - 4), using: &rng)
        write(&bytes, UInt32(bitPattern: Int32.random(in: -130...130, using: &rng)), at: offset)
      }
    }
    return bytes
  }

  static func patchLength(_ bytes: inout [UInt8], _ length: Int32) {
    write(&bytes, UInt32(bitPattern: length), at: 0)
  }

  static func write(_ bytes: inout [UInt8], _ value: UInt32, at offset: Int) {
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i))) }
  }

  /// Runs every decoder over one payload; what decodes must survive an encode/decode trip.
  static func decodeAll(_ payload: [UInt8], expecting: OpCode?, tally: inout Tally) {
    do {
      let decoded = try ClientRequest.decode(payload: payload, lengthBound: 4096)
      tally.requests += 1
      if case .request(let header, let request) = decoded {
        let again = try ClientRequest.decode(
          payload: Array(Frame.request(xid: header.xid, request).dropFirst(4)))
        #expect(again == decoded)
        checkPaths(of: request)
      }
    } catch {
      tally.requestErrors += 1
    }
    do {
      let message = try ServerMessage.decode(payload: payload, expecting: expecting, lengthBound: 4096)
      tally.replies += 1
      let bytes: [UInt8]
      switch message {
      // The header as received: a hostile notification may carry an error code.
      case .notification(let header, let event): bytes = Frame.reply(header, event)
      case .reply(let header, .empty): bytes = Frame.reply(header)
      case .reply(let header, let response): bytes = Frame.reply(header, response)
      }
      #expect(
        try ServerMessage.decode(payload: Array(bytes.dropFirst(4)), expecting: expecting) == message,
        "\(message) expecting \(String(describing: expecting))")
    } catch {
      tally.replyErrors += 1
    }
    do {
      var reader = JuteReader(payload, lengthBound: 4096)
      let request = try ConnectRequest(from: &reader)
      var response = JuteReader(payload, lengthBound: 4096)
      _ = try? ConnectResponse(from: &response)
      tally.connects += 1
      #expect(try decodeExactly(ConnectRequest.self, request.juteBytes()) == request)
    } catch {
      tally.connectErrors += 1
    }
  }

  static func checkPaths(of request: ClientRequest) {
    switch request {
    case .create(let r), .create2(let r), .createContainer(let r):
      _ = try? validatePath(r.path, isSequential: r.createMode?.isSequential ?? false)
    case .delete(let r): _ = try? validatePath(r.path)
    case .exists(let r): _ = try? validatePath(r.path)
    case .getData(let r): _ = try? validatePath(r.path)
    case .setData(let r): _ = try? validatePath(r.path)
    case .multi(let r), .multiRead(let r): for op in r.ops { _ = try? validatePath(op.path) }
    default: break
    }
  }

  @Test("100,000 random and mutated frames: no trap, only typed errors, stable re-encoding")
  func fuzz() throws {
    let golden = GoldenFixtures.frames
    #expect(!golden.isEmpty)
    var rng = SplitMix64(seed: Self.seed)
    var tally = Tally()
    var fed = 0
    while fed < Self.frameCount {
      // A short stream of mutated frames, fed to one decoder in random chunks.
      var stream: [UInt8] = []
      var expectations: [OpCode?] = []
      for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let base = golden.randomElement(using: &rng)!
        let donor = golden.randomElement(using: &rng)!.bytes
        let mutation = Mutation.allCases.randomElement(using: &rng)!
        let mutated = Self.mutate(base.bytes, donor: donor, mutation, using: &rng)
        stream += mutated
        expectations.append(
          Bool.random(using: &rng) ? base.opCode : OpCode.allCases.randomElement(using: &rng))
        // Every mutated frame also goes straight to the decoders, framing aside.
        Self.decodeAll(Array(mutated.dropFirst(4)), expecting: expectations.last!, tally: &tally)
        fed += 1
      }
      var decoder = FrameDecoder(
        frameBytesMax: Bool.random(using: &rng) ? 4096 : FrameDecoder.defaultFrameBytesMax)
      var offset = 0
      var frameIndex = 0
      streaming: while offset < stream.count {
        let chunk = min(stream.count - offset, Int.random(in: 1...64, using: &rng))
        decoder.append(stream[offset..<offset + chunk])
        offset += chunk
        while true {
          do {
            guard let payload = try decoder.nextFrame() else { break }
            tally.framesOut += 1
            #expect(payload.count <= decoder.frameBytesMax)
            Self.decodeAll(payload, expecting: expectations[frameIndex % expectations.count], tally: &tally)
            frameIndex += 1
          } catch {
            tally.frameErrors += 1
            #expect(throws: error) { _ = try decoder.nextFrame() }
            break streaming
          }
        }
      }
    }
    #expect(fed >= Self.frameCount)
    // Both outcomes are reached for each decoder, so the run is not vacuous.
    #expect(tally.framesOut > 10_000 && tally.frameErrors > 1_000, "\(tally)")
    #expect(tally.requests > 10_000 && tally.requestErrors > 10_000, "\(tally)")
    #expect(tally.replies > 10_000 && tally.replyErrors > 10_000, "\(tally)")
    #expect(tally.connects > 1_000 && tally.connectErrors > 10_000, "\(tally)")
  }
}
