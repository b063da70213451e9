using Assay.Core.Formats;

namespace Assay.Formats;

/// <summary>
/// Every format handler Assay ships, in one explicit list (STYLE.md rule 2). Order matters only
/// when two handlers claim the same bytes: more specific formats come first. Adding a format is
/// one line here plus the handler file, its fixture and its test.
/// </summary>
public static class BuiltinHandlers
{
    public static IReadOnlyList<IFormatHandler> All { get; } =
    [
        // compression
        new GzipHandler(),
        new Bzip2Handler(),
        new XzHandler(),
        new ZstdHandler(),
        new Lz4Handler(),
        new Lz4LegacyHandler(),
        new LzmaHandler(),
        new LzopHandler(),

        // archives (container images are tars: they come before the plain tar handler)
        new ZipHandler(),
        new Containers.OciArchiveHandler(),
        new Containers.DockerArchiveHandler(),
        new TarHandler(),
        new CpioHandler(),
        new SevenZipHandler(),
        new UImageHandler(),
        new FitHandler(),
        new DtbHandler(),
        new AndroidSparseHandler(),
        new AndroidBootImageHandler(),
        new AndroidVendorBootHandler(),
        new IntelHexHandler(),
        new SRecordHandler(),
        new ArmZImageHandler(),
        new Vendor.TrxHandler(),
        new Vendor.NetgearChkHandler(),
        new Vendor.SeamaHandler(),
        new Vendor.TpLinkHandler(),
        new Vendor.DlinkShrsHandler(),
        new Vendor.EncryptedImageHandler(),
        new Vendor.ArcadyanHandler(),
        new Ext.Ext4Handler(),
        new Iso9660.Iso9660Handler(),
        new SquashFsHandler(),
        new Ubi.UbiHandler(),
        new Ubifs.UbifsHandler(),
        new Jffs2.Jffs2Handler(),
        new RomFs.RomFsHandler(),
        new CramFs.CramFsHandler(),
        new Yaffs.Yaffs2Handler(),
        new Xfs.XfsHandler(),

        // virtual disks and what they carry (FAT before MBR: both end their first sector in 55 aa)
        new Disks.Qcow2Handler(),
        new Disks.VmdkHandler(),
        new Disks.VhdHandler(),
        new Disks.VhdxHandler(),
        new Partitions.GptHandler(),
        new Lvm.Lvm2Handler(),
        new Fat.FatHandler(),
        new Partitions.MbrHandler(),
    ];

    public static HandlerRegistry Registry { get; } = new(All);
}
