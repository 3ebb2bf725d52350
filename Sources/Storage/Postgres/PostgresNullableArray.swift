import NIOCore
import PostgresNIO

/// A one-dimensional PostgreSQL array parameter whose elements may be NULL (`float8[]` with gaps for missing
/// indicators, `int8[]` for issue rows without a line). PostgresNIO's own `Array` encoding has no NULL elements.
///
/// Encodes the binary array format: dimensions, has-nulls flag, element type, length and lower bound, then each
/// element as a length-prefixed value or length −1 for NULL.
struct PostgresNullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>:
    PostgresNonThrowingEncodable, Sendable
where Element: Sendable {
    /// The elements, `nil` for NULL.
    var elements: [Element?]

    /// Wraps `elements`.
    init(_ elements: [Element?]) {
        self.elements = elements
    }

    /// The element type's array type (`float8[]`, `int8[]`, …).
    static var psqlType: PostgresDataType { Element.psqlArrayType }
    /// Binary.
    static var psqlFormat: PostgresFormat { .binary }

    /// Writes the binary array format.
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(self.elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(self.elements.contains(where: { $0 == nil }) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue, as: UInt32.self)
        guard !self.elements.isEmpty else { return }
        buffer.writeInteger(Int32(self.elements.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)
        for element in self.elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex, as: Int32.self)
        }
    }
}
