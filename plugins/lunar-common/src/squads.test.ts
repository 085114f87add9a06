import { squadGroupName, squadGroupRef, squadShortName } from './squads';

describe('squad names', () => {
  it('turns short and full names into the same group', () => {
    expect(squadGroupName('nasa')).toBe('squad-nasa');
    expect(squadGroupName(' Squad-NASA ')).toBe('squad-nasa');
    expect(squadGroupRef('nasa')).toBe('group:default/squad-nasa');
    expect(squadShortName('squad-nasa')).toBe('nasa');
    expect(squadShortName('platform')).toBe('platform');
  });
});
