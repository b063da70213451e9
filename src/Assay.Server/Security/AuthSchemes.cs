namespace Assay.Server.Security;

/// <summary>Authentication scheme names: a bearer API key for machines, a session cookie for the UI, and the selector between them.</summary>
internal static class AuthSchemes
{
    public const string Selector = "assay";
    public const string ApiKey = "apikey";
    public const string Cookie = "cookie";
    public const string CookieName = "assay_session";
}
