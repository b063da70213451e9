using System.Text.Json.Serialization;
using Assay.Vulnerabilities.Update;

namespace Assay.Vulnerabilities;

/// <summary>
/// The JSON this project stores itself, with metadata generated at build time (Native AOT has no
/// reflection-based serialization): the <c>osv_range.versions</c> column (a version list, written
/// only when the OSV record lists versions) and the NVD API download's <c>nvd-run.json</c>. No
/// generation options: the serializer's defaults (property names as declared, the default
/// encoder) are the stored form, so a change here is a change of existing databases and of the
/// work folders an interrupted update resumes from. The feeds themselves (NVD, OSV, KEV, VEX) are
/// read with <see cref="System.Text.Json.JsonDocument"/>, not through this.
/// </summary>
[JsonSerializable(typeof(IReadOnlyList<string>), TypeInfoPropertyName = "Strings")]
[JsonSerializable(typeof(NvdApiDownloader.Run), TypeInfoPropertyName = "NvdRun")]
internal sealed partial class VulnerabilitiesJsonContext : JsonSerializerContext;
