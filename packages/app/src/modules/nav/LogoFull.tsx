import { makeStyles } from '@material-ui/core';
import { LunarMark } from './LogoIcon';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: 10,
    height: 34,
  },
  mark: {
    height: 34,
    width: 'auto',
  },
  word: {
    height: 22,
    width: 'auto',
  },
});

/** The mark and the word "Lunar", shown when the sidebar is open. */
export const LogoFull = () => {
  const classes = useStyles();
  return (
    <span className={classes.root}>
      <LunarMark className={classes.mark} />
      <svg
        className={classes.word}
        xmlns="http://www.w3.org/2000/svg"
        viewBox="0 0 96 28"
        aria-hidden="true"
      >
        <text
          x="0"
          y="23"
          fill="#ffffff"
          fontFamily="Helvetica Neue, Helvetica, Arial, sans-serif"
          fontSize="26"
          fontWeight="700"
          letterSpacing="1"
        >
          Lunar
        </text>
      </svg>
    </span>
  );
};
