using SharpTune.Data;
using SharpTune.Text;

namespace SharpTune.Tests.Text;

public class TextDatasetTests
{
    [Fact]
    public void CSV_rows_load_with_quotes_and_newlines_and_a_bad_row_is_reported_by_its_line()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.csv"),
            "id,text,label\n" +                       // line 1
            "1,\"Cheap pills, now\",spam\n" +         // line 2
            "2,\"Meeting at\nten, \"\"ok\"\"?\",ham\n" + // lines 3-4
            "3,only two fields\n" +                   // line 5: bad
            "4,,ham\n" +                              // line 6: empty text
            "5,Lunch?,ham\n");                        // line 7
        File.WriteAllText(dir.File("test.csv"), "id,text,label\n1,hi,ham\n2,win,unknown\n");
        var data = TextDataset.Open(dir.Path);
        Assert.Equal(TextLayout.Tables, data.Layout);
        Assert.Equal(["ham", "spam"], data.Classes);
        Assert.Equal(3, data.Train.Samples.Count);
        Assert.Equal("Meeting at\nten, \"ok\"?", data.Train.Samples[1].Text);
        Assert.EndsWith("train.csv:3", data.Train.Samples[1].Source);
        Assert.Equal([5, 6], data.Train.BadRecords.Select(b => b.Line!.Value));
        Assert.Contains("2 fields, the header has 3", data.Train.BadRecords[0].Reason);
        Assert.Contains("train.csv:5:", data.Train.BadRecords[0].ToString());
        var unknown = Assert.Single(data.Test.BadRecords);
        Assert.Equal(3, unknown.Line);
        Assert.Contains("'unknown'", unknown.Reason);

        var e = Assert.Throws<DataException>(() => TextDataset.Open(dir.Path, policy: BadFilePolicy.Fail));
        Assert.Contains("train.csv:5", e.Message);
        Assert.Contains("test.csv:3", e.Message);
    }

    [Fact]
    public void JSONL_and_TSV_tables_with_custom_columns()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.jsonl"), "{\"body\": \"buy now\", \"y\": 1}\n{\"body\": \"see you\", \"y\": 0}\nnot json\n{\"body\": 3, \"y\": 0}\n");
        File.WriteAllText(dir.File("val.tsv"), "body\ty\nbuy\t1\n");
        var data = TextDataset.Open(dir.Path, new TextColumns("body", "y"));
        Assert.Equal(["0", "1"], data.Classes);
        Assert.Equal([3, 4], data.Train.BadRecords.Select(b => b.Line!.Value));
        Assert.Equal("val", data.Test.Name);
        Assert.Equal(1, Assert.Single(data.Test.Samples).Label);
    }

    [Fact]
    public void Folders_of_txt_files_load_per_class_and_an_empty_file_is_reported()
    {
        using var dir = new TempDirectory();
        foreach (var (split, cls, name, text) in new[]
                 {
                     ("train", "ham", "a.txt", "hello"), ("train", "ham", "b.txt", "  \n"), ("train", "spam", "c.txt", "WIN"),
                     ("train", "spam", "notes.md", "ignored"), ("test", "ham", "d.txt", "hi"), ("test", "spam", "e.txt", "FREE"),
                 })
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, split, cls));
            File.WriteAllText(Path.Combine(dir.Path, split, cls, name), text);
        }
        var data = TextDataset.Open(dir.Path);
        Assert.Equal(TextLayout.Folders, data.Layout);
        Assert.Equal(["ham", "spam"], data.Classes);
        Assert.Equal(2, data.Train.Samples.Count);
        var bad = Assert.Single(data.BadRecords);
        Assert.EndsWith("b.txt", bad.File);
        Assert.Null(bad.Line);
    }

    [Fact]
    public void Missing_splits_or_columns_are_data_errors_naming_the_file()
    {
        using var dir = new TempDirectory();
        Assert.Contains("train", Assert.Throws<DataException>(() => TextDataset.Open(dir.Path)).Message);
        File.WriteAllText(dir.File("train.csv"), "content,label\nx,a\n");
        File.WriteAllText(dir.File("test.csv"), "content,label\nx,a\n");
        var e = Assert.Throws<DataException>(() => TextDataset.Open(dir.Path));
        Assert.Contains("'text'", e.Message);
        Assert.Contains("train.csv:1", e.Message);
    }

    [Fact]
    public void The_embedded_SpamAssassin_subset_is_a_stratified_600_300_split()
    {
        var data = TextDataset.Open(SharpTune.Training.EmbeddedDataset.SpamAssassinSmall.Path);
        Assert.Equal(["ham", "spam"], data.Classes);
        Assert.Equal([412, 188], data.Train.ClassCounts(2));
        Assert.Equal([206, 94], data.Test.ClassCounts(2));
        Assert.Empty(data.BadRecords);
        // Headers are stripped: no message starts with a mail header.
        Assert.DoesNotContain(data.Train.Samples, s => s.Text.StartsWith("Received:", StringComparison.Ordinal) || s.Text.StartsWith("Return-Path:", StringComparison.Ordinal));
    }
}
