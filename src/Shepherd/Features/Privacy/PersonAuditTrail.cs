using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Data.People;

namespace Shepherd.Features.Privacy;

/// <summary>
/// Finds the audit entries about one person: entries on the person row, and entries on rows that belonged to them
/// (e-mails, phones, custom values, notes, badges, memberships, photo), which carry <c>"PersonId":id</c> in their
/// changes, including rows deleted since.
/// </summary>
internal static class PersonAuditTrail
{
    public const string Redacted = "(erased)";

    public static IQueryable<AuditEntry> About(ShepherdDbContext db, long personId)
    {
        var id = personId.ToString(CultureInfo.InvariantCulture);
        var inMiddle = $"\"PersonId\":{id},";
        var atEnd = $"\"PersonId\":{id}}}";
        return db.AuditEntries.Where(e => (e.EntityType == nameof(Person) && e.EntityId == id)
            || (e.EntityType == nameof(PersonPhoto) && e.EntityId == id)
            || (e.Changes != null && (e.Changes.Contains(inMiddle) || e.Changes.Contains(atEnd))));
    }

    /// <summary>
    /// Redacts the person's identity from the audit log: every value of an entry about them becomes "(erased)" (the keys
    /// stay, so the history still shows what changed and when), and in any other entry every text value that holds one of
    /// <paramref name="identifiers"/> (full name, e-mail, phone) does. This is the one sanctioned rewrite of audit rows and
    /// goes through ExecuteUpdate on purpose: SaveChanges refuses modified audit entries.
    /// </summary>
    public static async Task<int> RedactAsync(ShepherdDbContext db, long personId, IReadOnlyCollection<string> identifiers, CancellationToken ct)
    {
        var about = await About(db, personId).Select(e => e.Id).ToListAsync(ct);
        var mentioning = new HashSet<long>();
        foreach (var identifier in identifiers)
        {
            // The stored JSON escapes some characters ('+' as \u002B): search for the value as the serializer wrote it.
            var encoded = JsonSerializer.Serialize(identifier)[1..^1];
            mentioning.UnionWith(await db.AuditEntries.Where(e => e.Changes != null && e.Changes.Contains(encoded)).Select(e => e.Id).ToListAsync(ct));
        }
        var aboutSet = about.ToHashSet();
        var candidates = aboutSet.Union(mentioning).ToList();
        var redacted = 0;
        foreach (var chunk in candidates.Chunk(200))
        {
            var entries = await db.AuditEntries.AsNoTracking().Where(e => chunk.Contains(e.Id)).Select(e => new { e.Id, e.Changes }).ToListAsync(ct);
            foreach (var entry in entries)
            {
                if (entry.Changes is null)
                {
                    continue;
                }
                var rewritten = Rewrite(entry.Changes, aboutSet.Contains(entry.Id), identifiers);
                if (rewritten != entry.Changes)
                {
                    await db.AuditEntries.Where(e => e.Id == entry.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Changes, rewritten), ct);
                    redacted++;
                }
            }
        }
        return redacted;
    }

    private static string Rewrite(string changes, bool everything, IReadOnlyCollection<string> identifiers)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(changes);
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(Redacted);
        }
        var result = Redact(root, everything, identifiers);
        return result?.ToJsonString() ?? "null";
    }

    private static JsonNode? Redact(JsonNode? node, bool everything, IReadOnlyCollection<string> identifiers)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    obj[key] = key is "PersonId" or "DefinitionId" or "GroupId" or "FamilyId" or "BadgeTypeId" or "ServiceId"
                        ? value?.DeepClone()
                        : Redact(value?.DeepClone(), everything, identifiers);
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Redact(array[i]?.DeepClone(), everything, identifiers);
                }
                return array;
            case JsonValue value when everything:
                return value.GetValueKind() == JsonValueKind.Null ? null : JsonValue.Create(Redacted);
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                return identifiers.Any(i => text.Contains(i, StringComparison.OrdinalIgnoreCase)) ? JsonValue.Create(Redacted) : value;
            default:
                return node;
        }
    }
}
