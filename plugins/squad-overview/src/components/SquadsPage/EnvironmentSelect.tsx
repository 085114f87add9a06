import { FormControl, InputLabel, MenuItem, Select } from '@material-ui/core';

/** Picks the dead-letter environment whose counts the table shows. */
export function EnvironmentSelect(props: {
  environments: string[];
  value: string | undefined;
  onChange: (environment: string) => void;
}) {
  const { environments, value, onChange } = props;
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 200 }}>
      <InputLabel id="squads-env-label">Dead-letter environment</InputLabel>
      <Select
        labelId="squads-env-label"
        label="Dead-letter environment"
        value={value}
        onChange={e => onChange(String(e.target.value))}
      >
        {environments.map(env => (
          <MenuItem key={env} value={env}>
            {env}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}
