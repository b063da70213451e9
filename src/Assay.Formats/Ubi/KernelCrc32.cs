using System.IO.Hashing;

namespace Assay.Formats;

/// <summary>
/// The Linux kernel's <c>crc32_le(seed, data)</c> (reflected polynomial 0xEDB88320, no final
/// inversion) as used by the flash filesystems, computed with the standard CRC-32 of
/// <see cref="Crc32"/>: standard = ~crc32_le(~0, data).
/// </summary>
internal static class KernelCrc32
{
    /// <summary>Four 0xFF bytes take the register from ~0 to 0, so crc32_le(0, d) = ~standard(FF FF FF FF ‖ d).</summary>
    private static ReadOnlySpan<byte> SeedZeroPrefix => [0xff, 0xff, 0xff, 0xff];

    /// <summary><c>crc32(UBI_CRC32_INIT = 0xFFFFFFFF, data)</c>: UBI headers and volume table, UBIFS nodes.</summary>
    public static uint SeedAllOnes(ReadOnlySpan<byte> data) => ~Crc32.HashToUInt32(data);

    /// <summary><c>crc32(0, data)</c>: JFFS2 node headers, inode and dirent nodes, data and names.</summary>
    public static uint SeedZero(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32();
        crc.Append(SeedZeroPrefix);
        crc.Append(data);
        return ~crc.GetCurrentHashAsUInt32();
    }
}
