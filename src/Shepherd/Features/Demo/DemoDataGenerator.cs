using Bogus;
using Shepherd.Data.Badges;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Tenancy;
using BogusGender = Bogus.DataSets.Name.Gender;
using Person = Shepherd.Data.People.Person;

namespace Shepherd.Features.Demo;

/// <summary>Next free id per table: rows get their ids before they are written, so children can refer to them.</summary>
public sealed class DemoIds
{
    public long Campus { get; set; }
    public long Family { get; set; }
    public long Person { get; set; }
    public long Group { get; set; }
    public long BadgeType { get; set; }
    public long CustomField { get; set; }
    public long Service { get; set; }
}

/// <summary>Everything about the people of a demo organization except services and attendance.</summary>
public sealed class DemoPopulation
{
    public List<Campus> Campuses { get; } = [];
    public List<DemoHousehold> Households { get; } = [];
    public List<Person> People { get; } = [];
    public List<FamilyMember> FamilyMembers { get; } = [];
    public List<AuthorizedPickup> Pickups { get; } = [];
    public List<Group> Groups { get; } = [];
    public List<GroupMember> GroupMembers { get; } = [];
    public List<BadgeType> BadgeTypes { get; } = [];
    public List<Badge> Badges { get; } = [];
    public List<CustomFieldDefinition> CustomFields { get; } = [];
    public List<CustomFieldValue> CustomFieldValues { get; } = [];
    public List<Note> Notes { get; } = [];
    public IEnumerable<PersonEmail> Emails => People.SelectMany(p => p.Emails);
    public IEnumerable<PersonPhone> Phones => People.SelectMany(p => p.Phones);
}

/// <summary>
/// Realistic fake people for a demo organization, reproducible from a seed: households of one to six with
/// believable ages, contact details, groups with leaders, badges, custom field values and pastoral notes.
/// Existing campuses, badge types and custom fields (an `--append` run) are reused rather than duplicated.
/// </summary>
public sealed class DemoDataGenerator(Faker faker, long organizationId, DateTimeOffset now, DateOnly firstSunday)
{
    private static readonly string[] CampusNames = ["Main Campus", "North Campus", "Riverside Campus"];
    private static readonly string[] MinistryNames =
        ["Worship Team", "Kids Ministry", "Youth Ministry", "Hospitality", "Prayer Ministry", "Care Ministry", "Missions", "Men's Ministry", "Women's Ministry"];
    private static readonly string[] TeamNames = ["Greeters", "Parking Team", "Tech Team", "Coffee Team", "Ushers", "Setup Crew", "Welcome Desk"];
    private static readonly string[] ClassNames = ["Membership Class", "Alpha Course", "Marriage Course", "Financial Peace"];
    private static readonly string[] Allergies = ["Peanuts", "Tree nuts", "Dairy", "Eggs", "Gluten", "Bee stings", "Shellfish", "Penicillin"];
    private static readonly string[] ShirtSizes = ["XS", "S", "M", "L", "XL", "XXL"];
    private static readonly string[] PickupRelationships = ["Grandmother", "Grandfather", "Aunt", "Uncle", "Neighbor", "Family friend", "Babysitter"];
    private static readonly string[] Pastors = ["Pastor Dave Miller", "Pastor Sarah Chen", "Pastor James Okafor", "Elder Ruth Lindqvist"];
    private static readonly string[] NoteTexts =
    [
        "Visited in hospital after knee surgery; recovering well, the family would welcome meals next week.",
        "Talked after the service about starting a small group near their home.",
        "Asked for prayer about a job interview on Thursday.",
        "Grieving the loss of a parent; follow up in two weeks.",
        "Interested in baptism; invited to the next baptism class.",
        "Going through a hard season at work; suggested the care ministry.",
        "New to the area; connected them with the hospitality team.",
        "Wants to serve with the kids ministry; background check needed first.",
        "Expecting a baby in the spring; add to the meal train then.",
        "Moving out of state at the end of the year.",
        "Marriage counseling session; next appointment booked.",
        "Thanked the team for the welcome; came back with friends.",
    ];

    private readonly Randomizer _random = faker.Random;
    private readonly DateOnly _today = DateOnly.FromDateTime(now.UtcDateTime);

    public DemoPopulation Generate(int members, DemoIds ids, IReadOnlyList<Campus> existingCampuses,
        IReadOnlyList<BadgeType> existingBadgeTypes, IReadOnlyList<CustomFieldDefinition> existingFields)
    {
        var population = new DemoPopulation();
        var campuses = existingCampuses.Count > 0 ? [.. existingCampuses] : NewCampuses(ids, members, population);
        while (population.People.Count < members)
        {
            population.Households.Add(NewHousehold(ids, members - population.People.Count, campuses, population));
        }
        AddPickups(population);
        AddGroups(ids, campuses, population);
        AddBadges(ids, existingBadgeTypes, population);
        AddCustomFields(ids, existingFields, population);
        AddNotes(population);
        return population;
    }

    private List<Campus> NewCampuses(DemoIds ids, int members, DemoPopulation population)
    {
        var count = members < 500 ? 2 : 3;
        foreach (var name in CampusNames.Take(count))
        {
            population.Campuses.Add(new Campus
            {
                Id = ids.Campus++,
                OrganizationId = organizationId,
                Name = name,
                Address = NewAddress(),
                CreatedAt = now,
                UpdatedAt = now,
            });
        }
        return population.Campuses;
    }

    private DemoHousehold NewHousehold(DemoIds ids, int room, List<Campus> campuses, DemoPopulation population)
    {
        var lastName = faker.Name.LastName();
        var address = NewAddress();
        var family = new Family
        {
            Id = ids.Family++,
            OrganizationId = organizationId,
            Name = $"{lastName} Family",
            Address = address,
            HomePhone = _random.Bool(0.3f) ? faker.Phone.PhoneNumber("(###) ###-####") : null,
            CampusId = _random.ListItem(campuses).Id,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var household = new DemoHousehold { Family = family };
        var size = Math.Min(room, _random.WeightedRandom([1, 2, 3, 4, 5, 6], [0.27f, 0.30f, 0.15f, 0.16f, 0.08f, 0.04f]));
        // Children always live with at least one adult: one adult alone, a couple, or one or two parents with children.
        var adults = size == 1 ? 1 : size == 2 ? (_random.Bool(0.8f) ? 2 : 1) : (_random.Bool(0.82f) ? 2 : 1);
        var status = _random.WeightedRandom(
            [MembershipStatus.Member, MembershipStatus.Attender, MembershipStatus.Visitor, MembershipStatus.Former],
            [0.55f, 0.25f, 0.12f, 0.08f]);
        var joined = status == MembershipStatus.Member ? _today.AddDays(-_random.Number(30, 20 * 365)) : (DateOnly?)null;
        var oldestChild = size > adults ? _random.Number(0, 17) : 0;
        var firstAdultAge = size > adults ? _random.Number(Math.Max(22, oldestChild + 20), Math.Min(60, oldestChild + 42)) : _random.Number(18, 88);
        for (var i = 0; i < adults; i++)
        {
            var gender = i == 0 ? _random.Bool() ? Gender.Female : Gender.Male : OtherGender(household.Adults[0].Gender);
            var age = i == 0 ? firstAdultAge : Math.Clamp(firstAdultAge + _random.Number(-5, 5), 18, 95);
            household.Adults.Add(NewPerson(ids, lastName, gender, age, address, status, joined, family.CampusId, adult: true));
        }
        for (var i = adults; i < size; i++)
        {
            var age = i == adults ? oldestChild : _random.Number(0, oldestChild);
            var gender = _random.Bool() ? Gender.Female : Gender.Male;
            household.Children.Add(NewPerson(ids, lastName, gender, age, address, status, joined, family.CampusId, adult: false));
        }
        foreach (var person in household.People)
        {
            population.People.Add(person);
            population.FamilyMembers.Add(new FamilyMember
            {
                OrganizationId = organizationId,
                FamilyId = family.Id,
                PersonId = person.Id,
                Role = household.Children.Contains(person) ? FamilyRole.Child : FamilyRole.Adult,
            });
        }
        DescribeHabit(household, status);
        return household;
    }

    private void DescribeHabit(DemoHousehold household, MembershipStatus status)
    {
        var weeks = (_today.DayNumber - firstSunday.DayNumber) / 7 + 1;
        household.PreferredHour = household.Children.Count > 0 ? (_random.Bool(0.8f) ? 9 : 11) : (_random.Bool(0.5f) ? 9 : 11);
        switch (status)
        {
            case MembershipStatus.Member:
                household.AttendProbability = _random.Double(0.55, 0.95);
                household.DriftFromWeek = _random.Bool(0.12f) ? _random.Number(0, weeks - 1) : null;
                household.FirstWeek = _random.Bool(0.85f) ? 0 : _random.Number(0, weeks - 1);
                break;
            case MembershipStatus.Attender:
                household.AttendProbability = _random.Double(0.25, 0.7);
                household.DriftFromWeek = _random.Bool(0.2f) ? _random.Number(0, weeks - 1) : null;
                household.FirstWeek = _random.Bool(0.6f) ? 0 : _random.Number(0, weeks - 1);
                break;
            case MembershipStatus.Visitor:
                var first = _random.Number(0, weeks - 1);
                household.FirstWeek = first;
                household.VisitWeeks = _random.Bool(0.6f) ? [first] : [first, Math.Min(weeks - 1, first + _random.Number(1, 6))];
                break;
            default:
                // Former members: came regularly, then stopped coming.
                household.AttendProbability = _random.Double(0.5, 0.9);
                household.DriftFromWeek = _random.Number(0, Math.Max(0, weeks / 2));
                break;
        }
    }

    private Person NewPerson(DemoIds ids, string lastName, Gender gender, int age, Address address,
        MembershipStatus status, DateOnly? joined, long? campusId, bool adult)
    {
        var firstName = faker.Name.FirstName(gender == Gender.Female ? BogusGender.Female : BogusGender.Male);
        var birthDate = _today.AddYears(-age).AddDays(-_random.Number(0, 364));
        var person = new Person
        {
            Id = ids.Person++,
            OrganizationId = organizationId,
            FirstName = firstName,
            LastName = lastName,
            MiddleName = _random.Bool(0.3f) ? faker.Name.FirstName(gender == Gender.Female ? BogusGender.Female : BogusGender.Male) : null,
            PreferredName = adult && _random.Bool(0.05f) ? firstName[..Math.Min(3, firstName.Length)] : null,
            Suffix = adult && gender == Gender.Male && _random.Bool(0.02f) ? "Jr." : null,
            Address = address with { },
            BirthDate = _random.Bool(0.92f) ? birthDate : null,
            Gender = gender,
            MembershipStatus = status,
            JoinDate = joined is { } j && j > birthDate ? j : null,
            CampusId = campusId,
            Active = status != MembershipStatus.Former,
            ArchivedAt = status == MembershipStatus.Former ? now : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (adult || (age >= 14 && _random.Bool(0.4f)))
        {
            var email = faker.Internet.Email(firstName, lastName, uniqueSuffix: _random.Number(1, 999).ToString(System.Globalization.CultureInfo.InvariantCulture));
            person.Emails.Add(new PersonEmail
            {
                OrganizationId = organizationId,
                PersonId = person.Id,
                Address = email,
                NormalizedAddress = email.ToLowerInvariant(),
                Label = ContactLabel.Home,
                IsPrimary = true,
            });
            var number = faker.Phone.PhoneNumber("(###) ###-####");
            person.Phones.Add(new PersonPhone
            {
                OrganizationId = organizationId,
                PersonId = person.Id,
                Number = number,
                Digits = PersonPhone.DigitsOf(number),
                Label = ContactLabel.Mobile,
                IsPrimary = true,
                CanText = _random.Bool(0.8f),
            });
            if (adult && _random.Bool(0.15f))
            {
                var work = faker.Phone.PhoneNumber("(###) ###-####");
                person.Phones.Add(new PersonPhone
                {
                    OrganizationId = organizationId,
                    PersonId = person.Id,
                    Number = work,
                    Digits = PersonPhone.DigitsOf(work),
                    Label = ContactLabel.Work,
                });
            }
        }
        person.RefreshSearchColumns();
        return person;
    }

    private void AddPickups(DemoPopulation population)
    {
        var adults = population.Households.SelectMany(h => h.Adults).ToList();
        foreach (var household in population.Households.Where(h => h.Children.Count > 0 && _random.Bool(0.3f)))
        {
            var count = _random.Number(1, 2);
            for (var i = 0; i < count; i++)
            {
                // Half are people the church knows (another family's adult), half just a name and a phone.
                var known = _random.Bool() ? _random.ListItem(adults) : null;
                if (known is not null && household.Adults.Contains(known))
                {
                    known = null;
                }
                population.Pickups.Add(new AuthorizedPickup
                {
                    OrganizationId = organizationId,
                    FamilyId = household.Family.Id,
                    PersonId = known?.Id,
                    Name = known is null ? faker.Name.FullName() : $"{known.FirstName} {known.LastName}",
                    Relationship = _random.ArrayElement(PickupRelationships),
                    Phone = known?.Phones.FirstOrDefault()?.Number ?? faker.Phone.PhoneNumber("(###) ###-####"),
                });
            }
        }
    }

    private void AddGroups(DemoIds ids, List<Campus> campuses, DemoPopulation population)
    {
        var adults = population.People.Where(p => p.Emails.Count > 0 && p.Active).ToList();
        if (adults.Count == 0)
        {
            return;
        }
        var count = Math.Max(1, population.People.Count / 15);
        for (var i = 0; i < count; i++)
        {
            var kind = _random.WeightedRandom([GroupKind.SmallGroup, GroupKind.Ministry, GroupKind.Team, GroupKind.Class], [0.6f, 0.2f, 0.15f, 0.05f]);
            var name = kind switch
            {
                GroupKind.SmallGroup => $"{faker.Address.StreetName()} Small Group",
                GroupKind.Ministry => $"{_random.ArrayElement(MinistryNames)} {i + 1}",
                GroupKind.Team => $"{_random.ArrayElement(TeamNames)} {i + 1}",
                _ => $"{_random.ArrayElement(ClassNames)} {i + 1}",
            };
            var group = new Group
            {
                Id = ids.Group++,
                OrganizationId = organizationId,
                CampusId = _random.ListItem(campuses).Id,
                Name = name,
                Kind = kind,
                Description = kind == GroupKind.SmallGroup ? "Weekly Bible study, food and prayer in a home." : null,
                MeetingDay = kind is GroupKind.SmallGroup or GroupKind.Class ? _random.Enum<DayOfWeek>() : null,
                MeetingTime = kind is GroupKind.SmallGroup or GroupKind.Class ? new TimeOnly(_random.Bool(0.8f) ? 19 : 10, _random.Bool() ? 0 : 30) : null,
                Location = kind == GroupKind.SmallGroup ? faker.Address.StreetAddress() : null,
                CreatedAt = now,
                UpdatedAt = now,
            };
            population.Groups.Add(group);
            var size = Math.Min(adults.Count, _random.Number(6, 16));
            var chosen = new HashSet<long>();
            while (chosen.Count < size)
            {
                var person = _random.ListItem(adults);
                if (chosen.Add(person.Id))
                {
                    population.GroupMembers.Add(new GroupMember
                    {
                        OrganizationId = organizationId,
                        GroupId = group.Id,
                        PersonId = person.Id,
                        Role = chosen.Count <= (size > 10 ? 2 : 1) ? GroupRole.Leader : GroupRole.Member,
                        JoinedOn = _today.AddDays(-_random.Number(0, 5 * 365)),
                    });
                }
            }
        }
    }

    private void AddBadges(DemoIds ids, IReadOnlyList<BadgeType> existing, DemoPopulation population)
    {
        (string Name, string Color, string Description)[] wanted =
        [
            ("Baptized", "#2b6cb0", "Baptized at or before joining the church."),
            ("Membership Class", "#2f855a", "Completed the membership class."),
            ("Background Check", "#c53030", "Cleared to serve with children and youth."),
            ("Volunteer", "#dd6b20", "Serves on a team."),
            ("Small Group Leader", "#6b46c1", "Leads or co-leads a small group."),
            ("First-Time Guest", "#718096", "Filled in a connection card on a first visit."),
            ("Kids Ministry Cleared", "#d69e2e", "Trained and cleared for the kids ministry."),
            ("Greeter", "#319795", "Welcomes people at the door."),
        ];
        var byName = existing.ToDictionary(b => b.Name);
        foreach (var (name, color, description) in wanted.Where(w => !byName.ContainsKey(w.Name)))
        {
            var type = new BadgeType
            {
                Id = ids.BadgeType++,
                OrganizationId = organizationId,
                Name = name,
                Color = color,
                Description = description,
                CreatedAt = now,
                UpdatedAt = now,
            };
            population.BadgeTypes.Add(type);
            byName[name] = type;
        }
        var leaders = population.GroupMembers.Where(m => m.Role == GroupRole.Leader).Select(m => m.PersonId).ToHashSet();
        var serving = population.GroupMembers.Select(m => m.PersonId).ToHashSet();
        foreach (var person in population.People)
        {
            var adult = person.Emails.Count > 0;
            var member = person.MembershipStatus == MembershipStatus.Member;
            Award(person, byName["Baptized"], member ? 0.7f : adult ? 0.2f : 0.05f);
            Award(person, byName["Membership Class"], member ? 0.8f : 0);
            Award(person, byName["Background Check"], leaders.Contains(person.Id) ? 0.9f : adult ? 0.05f : 0);
            Award(person, byName["Volunteer"], serving.Contains(person.Id) ? 0.5f : 0);
            Award(person, byName["Small Group Leader"], leaders.Contains(person.Id) ? 0.8f : 0);
            Award(person, byName["First-Time Guest"], person.MembershipStatus == MembershipStatus.Visitor ? 0.6f : 0);
            Award(person, byName["Kids Ministry Cleared"], adult && serving.Contains(person.Id) ? 0.1f : 0);
            Award(person, byName["Greeter"], adult ? 0.03f : 0);
        }

        void Award(Person person, BadgeType type, float probability)
        {
            if (probability > 0 && _random.Bool(probability))
            {
                population.Badges.Add(new Badge
                {
                    OrganizationId = organizationId,
                    PersonId = person.Id,
                    BadgeTypeId = type.Id,
                    AwardedOn = _today.AddDays(-_random.Number(0, 6 * 365)),
                    Note = _random.Bool(0.1f) ? "Recorded during the demo data import." : null,
                });
            }
        }
    }

    private void AddCustomFields(DemoIds ids, IReadOnlyList<CustomFieldDefinition> existing, DemoPopulation population)
    {
        var shirt = FieldFor("shirt-size", "T-shirt size", CustomFieldType.Choice, [.. ShirtSizes], 1);
        var allergies = FieldFor("allergies", "Allergies", CustomFieldType.Text, [], 2);
        var newsletter = FieldFor("newsletter", "Receives the newsletter", CustomFieldType.Boolean, [], 3);
        foreach (var person in population.People)
        {
            if (_random.Bool(0.4f))
            {
                Add(person, shirt, _random.ArrayElement(ShirtSizes));
            }
            if (_random.Bool(person.Emails.Count > 0 ? 0.04f : 0.15f))
            {
                Add(person, allergies, string.Join(", ", _random.ArrayElements(Allergies, _random.Number(1, 2))));
            }
            if (person.Emails.Count > 0 && _random.Bool(0.5f))
            {
                Add(person, newsletter, _random.Bool(0.7f) ? "true" : "false");
            }
        }

        CustomFieldDefinition? FieldFor(string key, string label, CustomFieldType type, List<string> choices, int order)
        {
            var found = existing.FirstOrDefault(f => f.Key == key);
            if (found is not null)
            {
                // Reuse a field the church already has only if it has the same meaning; never write values it would reject.
                return found.Type == type && choices.All(found.Choices.Contains) ? found : null;
            }
            var field = new CustomFieldDefinition
            {
                Id = ids.CustomField++,
                OrganizationId = organizationId,
                Key = key,
                Label = label,
                Type = type,
                Choices = choices,
                SortOrder = order,
                CreatedAt = now,
                UpdatedAt = now,
            };
            population.CustomFields.Add(field);
            return field;
        }

        void Add(Person person, CustomFieldDefinition? field, string value)
        {
            if (field is not null)
            {
                population.CustomFieldValues.Add(new CustomFieldValue
                {
                    OrganizationId = organizationId,
                    PersonId = person.Id,
                    DefinitionId = field.Id,
                    Value = value,
                });
            }
        }
    }

    private void AddNotes(DemoPopulation population)
    {
        var count = (int)Math.Ceiling(population.People.Count * 0.3);
        var days = Math.Max(1, _today.DayNumber - firstSunday.DayNumber);
        for (var i = 0; i < count; i++)
        {
            var person = _random.ListItem(population.People);
            var date = firstSunday.AddDays(_random.Number(0, days));
            var written = new DateTimeOffset(date.AddDays(_random.Number(0, 2)).ToDateTime(new TimeOnly(_random.Number(8, 20), 0)), TimeSpan.Zero);
            population.Notes.Add(new Note
            {
                OrganizationId = organizationId,
                PersonId = person.Id,
                AuthorName = _random.ArrayElement(Pastors),
                Visibility = _random.WeightedRandom([NoteVisibility.Staff, NoteVisibility.Pastors, NoteVisibility.AuthorOnly], [0.5f, 0.35f, 0.15f]),
                Text = _random.ArrayElement(NoteTexts),
                NoteDate = date,
                CreatedAt = written > now ? now : written,
                UpdatedAt = written > now ? now : written,
            });
        }
    }

    private Address NewAddress() => new()
    {
        Street1 = faker.Address.StreetAddress(),
        Street2 = _random.Bool(0.1f) ? faker.Address.SecondaryAddress() : null,
        City = faker.Address.City(),
        Region = faker.Address.StateAbbr(),
        PostalCode = faker.Address.ZipCode("#####"),
        Country = "US",
    };

    private static Gender OtherGender(Gender gender) => gender == Gender.Female ? Gender.Male : Gender.Female;
}
