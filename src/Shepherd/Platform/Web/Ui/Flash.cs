using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// A one-line message shown once on the next page ("Saved Anna Smith."), carried across the redirect that follows a
/// form post in TempData (an encrypted cookie).
/// </summary>
public static class Flash
{
    private const string Key = "shepherd.flash";
    private const string KindKey = "shepherd.flash.kind";

    public static void Success(this ITempDataDictionary tempData, string message) => Set(tempData, message, "ok");

    public static void Warning(this ITempDataDictionary tempData, string message) => Set(tempData, message, "warn");

    /// <summary>The message and its kind (ok or warn), or null; reading it removes it.</summary>
    public static (string Message, string Kind)? Take(ITempDataDictionary tempData) =>
        tempData[Key] is string message ? (message, tempData[KindKey] as string ?? "ok") : null;

    private static void Set(ITempDataDictionary tempData, string message, string kind)
    {
        tempData[Key] = message;
        tempData[KindKey] = kind;
    }
}
