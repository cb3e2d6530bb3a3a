/// A ZIP archive of stored (uncompressed) entries: what an OOXML workbook needs to be a file that
/// LibreOffice, Excel and openpyxl open. Written here (PKWARE APPNOTE 6.3, §4.3) rather than taken from
/// a package: four record layouts and a CRC-32, no compression, no reading.
enum StoredZip {
    static func archive(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        // 1980-01-01 00:00 in MS-DOS form: the workbook's content, not the clock, decides its bytes.
        let (time, date): (UInt16, UInt16) = (0, (0 << 9) | (1 << 5) | 1)
        for entry in entries {
            let name = Array(entry.name.utf8)
            let crc = crc32(entry.data)
            let offset = UInt32(out.count)
            out += le32(0x0403_4b50) + le16(20) + le16(0x0800) + le16(0) + le16(time) + le16(date)
            out += le32(crc) + le32(UInt32(entry.data.count)) + le32(UInt32(entry.data.count)) + le16(UInt16(name.count)) + le16(0)
            out += name + entry.data
            central += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(time) + le16(date)
            central += le32(crc) + le32(UInt32(entry.data.count)) + le32(UInt32(entry.data.count)) + le16(UInt16(name.count))
            central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let start = UInt32(out.count)
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
        out += le32(UInt32(central.count)) + le32(start) + le16(0)
        return out
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }

    static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { c, byte in table[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
    }
}
