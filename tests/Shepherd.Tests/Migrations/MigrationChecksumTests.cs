using Shepherd.Operations.Migrations;
using Shouldly;

namespace Shepherd.Tests.Migrations;

public sealed class MigrationChecksumTests
{
    [Fact]
    public void The_checksum_is_the_sha256_of_the_sql_whatever_its_line_endings()
    {
        var checksum = MigrationChecksum.Compute("CREATE TABLE people (id int);\nCREATE INDEX ix ON people (id);");

        checksum.ShouldMatch("^[0-9a-f]{64}$");
        MigrationChecksum.Compute("CREATE TABLE people (id int);\r\nCREATE INDEX ix ON people (id);\r\n").ShouldBe(checksum);
    }

    [Fact]
    public void Any_change_to_the_sql_changes_the_checksum()
    {
        MigrationChecksum.Compute("CREATE TABLE people (id int);").ShouldNotBe(MigrationChecksum.Compute("CREATE TABLE people (id bigint);"));
    }
}
