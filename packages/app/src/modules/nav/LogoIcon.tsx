import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
});

/**
 * Lunar's mark: a crescent moon over a small star. Drawn for the portal;
 * shown when the sidebar is collapsed.
 */
export const LunarMark = ({ className }: { className?: string }) => (
  <svg
    className={className}
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 64 64"
    role="img"
    aria-label="Lunar"
  >
    <defs>
      <mask id="lunar-crescent">
        <rect width="64" height="64" fill="white" />
        <circle cx="42" cy="24" r="22" fill="black" />
      </mask>
    </defs>
    <circle cx="30" cy="34" r="26" fill="#e8e4ff" mask="url(#lunar-crescent)" />
    <path
      d="M47 36l2.6 5.4L55 44l-5.4 2.6L47 52l-2.6-5.4L39 44l5.4-2.6z"
      fill="#b8a9ff"
    />
  </svg>
);

export const LogoIcon = () => {
  const classes = useStyles();
  return <LunarMark className={classes.svg} />;
};
