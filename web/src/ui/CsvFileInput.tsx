// A labelled file picker for a CSV upload: hands the chosen file on and
// clears itself, so the same file can be chosen again after a fix.
export function CsvFileInput({ id, label, onFile }: { id: string; label: string; onFile: (file: File) => void }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept=".csv,text/csv"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
    </>
  );
}
