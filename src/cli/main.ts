// The `convas` command: parse the command line, run the command, turn errors into exit codes
// (2 for a bad command line, 1 for a ConvasError such as a bad file or config) without stack traces.
import { init } from '../backend/wasm.js';
import { ConvasError } from '../errors.js';
// The command reads ONNX models too (--model net.onnx): the CLI bundle carries convas/onnx.
import '../onnx/index.js';
import { UsageError, parseCommandLine } from './args.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { resume } from './resume.js';
import { train } from './train.js';
import { trainOnBase } from './transfer.js';
import { USAGE } from './usage.js';

const print = (text: string) => process.stdout.write(`${text}\n`);

export async function main(argv: string[]): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    if (command.name === 'help') {
      print(USAGE);
      return 0;
    }
    await init({ threads: command.options.threads });
    if (command.name === 'train' && command.options.transfer) return await trainOnBase({ ...command.options, transfer: command.options.transfer }, print);
    if (command.name === 'train') return await train(command.options, print);
    if (command.name === 'resume') return await resume(command.options, print);
    if (command.name === 'evaluate') await evaluate(command.options, print);
    else await predict(command.options, print);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`convas: ${error.message}\nRun \`convas --help\` for the options.\n`);
      return 2;
    }
    // System errors (a predict file not found; model files are StorageErrors) are the user's to fix, like ConvasErrors.
    if (error instanceof ConvasError || isSystemError(error)) {
      process.stderr.write(`convas: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}
