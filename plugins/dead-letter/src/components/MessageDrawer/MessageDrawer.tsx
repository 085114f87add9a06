import {
  Box,
  Drawer,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';
import CloseIcon from '@material-ui/icons/Close';
import LockIcon from '@material-ui/icons/LockOutlined';
import VisibilityOffIcon from '@material-ui/icons/VisibilityOffOutlined';
import {
  CodeSnippet,
  CopyTextButton,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ReactNode } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  DeadLetterContentInfo,
  DeadLetteredMessageWithContent,
  hasContent,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';

/** The body as people read it: pretty JSON, else text, else hex. */
export function renderBody(
  message: Pick<DeadLetteredMessageWithContent, 'body' | 'bodyText'>,
): {
  kind: 'json' | 'text' | 'hex';
  text: string;
} {
  if (message.bodyText !== null) {
    try {
      return {
        kind: 'json',
        text: JSON.stringify(JSON.parse(message.bodyText), null, 2),
      };
    } catch {
      return { kind: 'text', text: message.bodyText };
    }
  }
  const bytes = Uint8Array.from(atob(message.body), c => c.charCodeAt(0));
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const chunk = Array.from(bytes.slice(i, i + 16));
    lines.push(
      `${i.toString(16).padStart(8, '0')}  ${chunk
        .map(b => b.toString(16).padStart(2, '0'))
        .join(' ')}`,
    );
  }
  return { kind: 'hex', text: lines.join('\n') };
}

function Field(props: { label: string; value: string | null; copy?: boolean }) {
  return (
    <TableRow>
      <TableCell component="th" scope="row" style={{ width: 160 }}>
        {props.label}
      </TableCell>
      <TableCell style={{ wordBreak: 'break-all' }}>
        {props.value ?? '—'}
        {props.copy && props.value && (
          <CopyTextButton
            text={props.value}
            tooltipText={`${props.label} copied`}
            aria-label={`Copy ${props.label}`}
          />
        )}
      </TableCell>
    </TableRow>
  );
}

/** One message: ids, headers (x-death included), properties and body. */
export function MessageDrawer(props: { id?: string; onClose: () => void }) {
  const { id, onClose } = props;
  return (
    <Drawer anchor="right" open={!!id} onClose={onClose}>
      <Box
        width={640}
        maxWidth="100vw"
        p={3}
        role="region"
        aria-label="Message details"
      >
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="h5">Message {id}</Typography>
          <IconButton aria-label="Close details" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        {id && <MessageDetail id={id} />}
      </Box>
    </Drawer>
  );
}

/** `group:default/squad-gemini` as people say it: squad-gemini. */
const groupName = (ref: string) => ref.replace(/^group:(default\/)?/, '');

/** Who may read a message's content, as a sentence. */
function whoCan(readers: string[]): string {
  const names = readers.map(groupName);
  if (names.length === 0) return 'Nobody can read it here.';
  return `Members of ${names.join(', ')} can.`;
}

/** An outlined notice about a message's content, with an icon. */
function ContentNotice(props: {
  role: 'status' | 'note';
  label: string;
  icon: ReactNode;
  children: ReactNode;
}) {
  return (
    <Box
      mt={2}
      p={2}
      display="flex"
      border={1}
      borderColor="grey.400"
      borderRadius={4}
      role={props.role}
      aria-label={props.label}
    >
      {props.icon}
      <Box>{props.children}</Box>
    </Box>
  );
}

/** The state of a message whose content the user may not read. */
function ContentRestricted(props: { content: DeadLetterContentInfo }) {
  const { content } = props;
  return (
    <ContentNotice
      role="status"
      label="Content restricted"
      icon={<LockIcon color="action" style={{ marginRight: 12 }} />}
    >
      <Typography variant="subtitle1">
        You can see this message's metadata, not its content
      </Typography>
      <Typography variant="body2">
        Its body, headers and properties may hold customer data.{' '}
        {whoCan(content.readers)}
      </Typography>
      {content.reason && (
        <Typography variant="caption" color="textSecondary">
          {content.reason}
        </Typography>
      )}
    </ContentNotice>
  );
}

/** A hint that some values were masked, or the body withheld. */
function MaskedHint(props: { content: DeadLetterContentInfo }) {
  const { content } = props;
  if (content.masked.length === 0 && !content.bodyWithheld) return null;
  return (
    <ContentNotice
      role="note"
      label="Masked values"
      icon={<VisibilityOffIcon color="action" style={{ marginRight: 12 }} />}
    >
      {content.masked.length > 0 && (
        <Typography variant="body2">
          Masked: {content.masked.join(', ')}. These values are shown as stored
          only to people allowed to read them unmasked; redelivery always sends
          the original message.
        </Typography>
      )}
      {content.bodyWithheld && (
        <Typography variant="body2">
          The body is not shown: it should be JSON but does not parse (it may
          have been cut at the size limit), so the fields to mask cannot be
          found in it.
        </Typography>
      )}
    </ContentNotice>
  );
}

function MessageDetail(props: { id: string }) {
  const api = useApi(deadLetterApiRef);
  const { value, loading, error } = useAsync(
    () => api.get(props.id),
    [api, props.id],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  return (
    <>
      <Table size="small">
        <TableBody>
          <Field label="Message ID" value={value.messageId} copy />
          <Field label="Correlation ID" value={value.correlationId} copy />
          <Field label="Service" value={value.service} />
          <Field label="Squad" value={value.squad} />
          <Field label="Queue" value={value.queue} />
          <Field label="Exchange" value={value.exchange} />
          <Field label="Routing key" value={value.routingKey} />
          <Field label="Reason" value={value.reason} />
          <Field label="Error" value={value.error} />
          <Field
            label="Dead-lettered"
            value={new Date(value.deadLetteredAt).toLocaleString()}
          />
          <Field label="Redeliveries" value={String(value.redeliveryCount)} />
        </TableBody>
      </Table>
      {hasContent(value) ? (
        <>
          <MaskedHint content={value.content} />
          <MessageContent value={value} />
        </>
      ) : (
        <ContentRestricted content={value.content} />
      )}
    </>
  );
}

function MessageContent(props: { value: DeadLetteredMessageWithContent }) {
  const { value } = props;
  const body = renderBody(value);
  return (
    <>
      <Box mt={2}>
        <Typography variant="h6">Headers</Typography>
        <CodeSnippet
          language="json"
          text={JSON.stringify(value.headers, null, 2)}
        />
        <Typography variant="h6">Properties</Typography>
        <CodeSnippet
          language="json"
          text={JSON.stringify(value.properties, null, 2)}
        />
        <Typography variant="h6">
          Body ({value.bodySize.toLocaleString('en-US')} bytes
          {body.kind === 'hex' && !value.content.bodyWithheld
            ? ', not UTF-8: hex'
            : ''}
          {value.bodyTruncated ? ', truncated' : ''}
          {value.content.masked.length > 0 ? ', masked' : ''}
          {value.content.bodyWithheld ? ', withheld' : ''})
        </Typography>
        {!value.content.bodyWithheld && (
          <CodeSnippet
            language={body.kind === 'json' ? 'json' : 'text'}
            text={body.text}
            showCopyCodeButton
          />
        )}
      </Box>
    </>
  );
}
