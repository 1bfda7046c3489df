using System.CommandLine;
using SharpTune.Data.Idx;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune data import-idx</c>: MNIST-format (IDX) files to an ImageFolder tree of PNG files.</summary>
public static class ImportIdxCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var trainImages = new Option<string>("--train-images") { Description = "IDX images of the training split (.gz accepted).", Required = true };
        var trainLabels = new Option<string>("--train-labels") { Description = "IDX labels of the training split.", Required = true };
        var testImages = new Option<string>("--test-images") { Description = "IDX images of the test split.", Required = true };
        var testLabels = new Option<string>("--test-labels") { Description = "IDX labels of the test split.", Required = true };
        var classes = new Option<string>("--classes") { Description = "Comma-separated class folder names, in label order.", Required = true };
        var trainPerClass = new Option<int>("--train-per-class") { Description = "Training images per class (first in file order; 0 = all).", DefaultValueFactory = _ => 0 };
        var testPerClass = new Option<int>("--test-per-class") { Description = "Test images per class (0 = all).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder to write OUT/{train,test}/<class>/NNNNN.png into.", Required = true };
        var command = new Command("import-idx", "Convert MNIST-format (IDX) images and labels into an ImageFolder of PNG files.")
        {
            trainImages, trainLabels, testImages, testLabels, classes, trainPerClass, testPerClass, output,
        };
        command.SetAction(parsed =>
        {
            var names = parsed.GetValue(classes)!.Split(',').Select(n => n.Trim()).ToList();
            if (names.Any(n => n.Length == 0 || n.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0))
                throw new UsageException("--classes: every name must be a non-empty file name");
            if (parsed.GetValue(trainPerClass) < 0 || parsed.GetValue(testPerClass) < 0)
                throw new UsageException("--train-per-class/--test-per-class must not be negative");
            var written = IdxImport.Run(
            [
                new IdxSplit("train", parsed.GetValue(trainImages)!, parsed.GetValue(trainLabels)!, parsed.GetValue(trainPerClass)),
                new IdxSplit("test", parsed.GetValue(testImages)!, parsed.GetValue(testLabels)!, parsed.GetValue(testPerClass)),
            ], names, parsed.GetValue(output)!);
            foreach (var (split, count) in written) Console.WriteLine($"{split}: {count} images");
            return 0;
        });
        return command;
    }
}
